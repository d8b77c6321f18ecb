public import Foundation

/// A stored event of the Segment tracking spec, read back with its payload parsed (ingest stores
/// ``AcceptedEvent``s).
public struct SegmentEvent: Sendable, Hashable {
    /// The call.
    public var type: SegmentEventType
    /// The idempotency key (client-sent, or derived from the content when absent).
    public var messageId: String
    /// The known user id, if any.
    public var userId: String?
    /// The anonymous id, if any.
    public var anonymousId: String?
    /// `event` for track, `name` for page and screen.
    public var name: String?
    /// The skew-corrected time of the event: receivedAt − (sentAt − originalTimestamp) when the client
    /// sent both, else the client's timestamp, else receivedAt.
    public var timestamp: Date
    /// When the server received the request.
    public var receivedAt: Date
    /// The event as stored: the client's JSON with batch `context`/`integrations` merged in and the
    /// server fields (`messageId`, `receivedAt`, `timestamp`, `type`) set.
    public var payload: JSONValue

    /// Creates an event (as read back from the store).
    public init(
        type: SegmentEventType,
        messageId: String,
        userId: String?,
        anonymousId: String?,
        name: String?,
        timestamp: Date,
        receivedAt: Date,
        payload: JSONValue
    ) {
        self.type = type
        self.messageId = messageId
        self.userId = userId
        self.anonymousId = anonymousId
        self.name = name
        self.timestamp = timestamp
        self.receivedAt = receivedAt
        self.payload = payload
    }

    /// Traits from `traits` or, failing that, `context.traits`.
    public var traits: [String: JSONValue] {
        payload["traits"]?.objectValue ?? payload["context"]?["traits"]?.objectValue ?? [:]
    }
}

/// An event that failed validation, kept with its raw JSON.
public struct RejectedEvent: Error, Sendable, Hashable {
    /// Why.
    public var reason: QuarantineReason
    /// Details for a human (which field, which value).
    public var detail: String
    /// The messageId if one could be read.
    public var messageId: String?
    /// The raw event (with batch context merged when it was an object).
    public var payload: JSONValue
    /// When the server received it.
    public var receivedAt: Date
}
