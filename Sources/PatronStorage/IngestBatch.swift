public import PatronCore

/// The events of one tracking request, for one source.
public struct IngestBatch: Sendable {
    /// The source (as named by its write key).
    public var source: String
    /// Validated events.
    public var accepted: [AcceptedEvent]
    /// Events for the quarantine.
    public var rejected: [RejectedEvent]

    /// Creates a batch.
    public init(source: String, accepted: [AcceptedEvent], rejected: [RejectedEvent]) {
        self.source = source
        self.accepted = accepted
        self.rejected = rejected
    }
}

/// What happened to a batch once it was durably committed.
public struct IngestOutcome: Sendable, Hashable {
    /// New events stored.
    public var stored: Int
    /// Events whose messageId was already stored for the source (acknowledged, not stored again).
    public var duplicates: Int
    /// Events put in quarantine.
    public var quarantined: Int

    /// Creates an outcome.
    public init(stored: Int, duplicates: Int, quarantined: Int) {
        self.stored = stored
        self.duplicates = duplicates
        self.quarantined = quarantined
    }
}
