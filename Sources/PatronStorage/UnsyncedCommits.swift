import Synchronization

/// The group commits of ingest whose log frames are written but not yet synced
/// (``WriteAheadLogSyncer``), oldest first, each with the id the next delivery would get when it
/// committed.
///
/// Processing turns events into customers, segment entries and queued webhooks as soon as they are
/// committed, while their sync runs; what leaves the process waits: the deliverer reads only the
/// deliveries below the id noted with the oldest group not yet synced, so that no webhook is sent
/// about an event a power failure could still take back before its request was acknowledged. A
/// delivery at or past that id was queued after the group committed (deliveries are queued on the
/// one writer, with ids that only grow), so it may come from the group's events; one below it was
/// queued before, from events synced already. Everything else derived from an event is in the
/// database, in the log after the event: a power failure takes both back together. One group is
/// written or synced at a time (``GroupCommitter``): a successful sync, started after the last group
/// committed, makes every group noted so far durable, while one that failed leaves them held (their
/// requests were not acknowledged; a later successful sync of the log releases them). Not held: the
/// consent a send is checked against, which may come from an event still being synced (a grant a
/// power failure could take back, within one sync).
final class UnsyncedCommits: Sendable {
    private struct State {
        /// One entry per group commit in flight: the id the next delivery would get when it
        /// committed (`nil` when it stored no event, e.g. only duplicates: nothing can come from it).
        var nextDeliveryIds: [Int64?] = []
        /// A read of the deliverer found deliveries held back: wake it when the oldest group is synced.
        var deliveriesHeld = false
    }

    private let state = Mutex(State())

    /// Creates an empty list.
    init() {}

    /// Notes a group commit about to commit (called inside its transaction, before `COMMIT`, so
    /// that a reader whose snapshot holds a delivery queued after the group finds the group here).
    func committing(nextDeliveryId: Int64?) {
        state.withLock { $0.nextDeliveryIds.append(nextDeliveryId) }
    }

    /// Forgets the last group noted: its transaction rolled back.
    func abandonLast() {
        state.withLock { _ = $0.nextDeliveryIds.popLast() }
    }

    /// Forgets every group noted: a sync of the log that started after they committed succeeded.
    /// Returns whether a read found deliveries held back since the last such wake-up: the deliverer
    /// should read again.
    func allSynced() -> Bool {
        state.withLock { state in
            state.nextDeliveryIds.removeAll(keepingCapacity: true)
            defer { state.deliveriesHeld = false }
            return state.deliveriesHeld
        }
    }

    /// The deliveries a read may send: those below the returned id, the lowest that may come from
    /// an event not durable yet (`Int64.max` when every event stored through ingest is durable).
    /// Call it after the read's snapshot started, with the newest delivery id in that
    /// snapshot: when that one is held back, the next ``allSynced()`` says so.
    func deliveryIdLimit(newestDelivery: Int64) -> Int64 {
        state.withLock { state in
            guard let limit = state.nextDeliveryIds.lazy.compactMap({ $0 }).first else { return Int64.max }
            if newestDelivery >= limit { state.deliveriesHeld = true }
            return limit
        }
    }
}
