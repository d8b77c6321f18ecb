public import Foundation

/// An event of a tracking request that passed validation: the columns it is stored with, and the
/// JSON text stored as its payload.
public struct AcceptedEvent: Sendable, Hashable {
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
    /// The skew-corrected time of the event (see ``SegmentEvent/timestamp``).
    public var timestamp: Date
    /// When the server received the request.
    public var receivedAt: Date
    /// The event as stored: the client's JSON with batch `context`/`integrations` merged in and the
    /// server fields (`messageId`, `receivedAt`, `timestamp`, `type`) set; top-level keys sorted,
    /// compact.
    public var json: String

    /// `json` parsed (each call parses it; ingest never needs it).
    public var payload: JSONValue { (try? JSONValue.parse(Data(json.utf8))) ?? .null }
}
