import Synchronization

/// The group commits of ingest whose log frames are written but not yet synced
/// (``WriteAheadLogSyncer``), oldest first, each with the id of the first event it stored.
///
/// Processing reads only the events below the oldest of those ids, so that nothing (a profile, a
/// segment entry, a webhook) is derived from an event a power failure could still take back before
/// its request was acknowledged. Group commits are written one after another on the writer and
/// synced in the same order, so the oldest entry is always the next to become durable.
final class UnsyncedCommits: Sendable {
    /// One entry per group commit in flight: the first event id it stored (`nil` when it stored
    /// none, e.g. only duplicates).
    private let firstEventIds = Mutex<[Int64?]>([])

    /// Creates an empty list.
    init() {}

    /// Notes a group commit about to commit (called inside its transaction, before `COMMIT`, so
    /// that a reader whose snapshot holds the group finds it here).
    func committing(firstEventId: Int64?) {
        firstEventIds.withLock { $0.append(firstEventId) }
    }

    /// Forgets the last group noted: its transaction did not commit.
    func abandonLast() {
        firstEventIds.withLock { _ = $0.popLast() }
    }

    /// Forgets the oldest group noted: it is durable (or failed and was not acknowledged).
    func oldestSynced() {
        firstEventIds.withLock { ids in
            if !ids.isEmpty { ids.removeFirst() }
        }
    }

    /// The lowest event id that may not be durable yet (`nil` when every event stored through
    /// ingest is durable). Read it after the snapshot of the read it limits has started.
    var eventIdLimit: Int64? {
        firstEventIds.withLock { ids in ids.lazy.compactMap { $0 }.first }
    }
}
