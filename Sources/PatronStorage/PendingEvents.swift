import PatronCore

/// Events read for one processing step and worked out in memory, not yet recorded: what
/// ``SQLiteStore/readPending(after:limit:rules:)`` returns and ``SQLiteStore/record(_:)`` writes.
/// Reading the next step while the current one is written keeps the reader and the writer busy
/// at once.
public struct PendingEvents: Sendable {
    /// The processing cursor the events follow: they are recorded only if the cursor is still there.
    let cursor: Int64
    let prepared: [PreparedEvent]
    let rules: IdentityRules

    /// The number of events read.
    public var count: Int { prepared.count }

    /// The id of the last event read (`nil` when none was pending): the cursor once they are recorded.
    public var lastEventId: Int64? { prepared.last?.id }
}
