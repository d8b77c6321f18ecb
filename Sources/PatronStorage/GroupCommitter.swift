import Synchronization

/// Group commit: concurrent callers share one write transaction (and one fsync).
///
/// Callers queue their item and wait. The first item queued while no group is in flight schedules
/// a job on the writer, which takes everything queued, writes it in one transaction and hands the
/// group to `makeDurable`. That wakes each caller with its result once the transaction is on disk
/// (off the writer's thread, see ``WriteAheadLogSyncer``), then, if more items were queued in the
/// meantime, schedules the next such job behind whatever else waits for the writer (processing
/// steps), so those still get their turn. No caller waits for more than the group after its own,
/// and no result goes through another caller's task first.
final class GroupCommitter<Item: Sendable, Output: Sendable, Connection>: Sendable {
    private typealias Waiter = CheckedContinuation<Output, any Error>

    private struct State {
        var queue: [(item: Item, waiter: Waiter)] = []
        /// A group is scheduled, being written, or being made durable.
        var isScheduled = false
    }

    private let state = Mutex(State())
    private let active = Atomic<Int>(0)
    private let schedule: @Sendable (@escaping @Sendable (Connection) -> Void) -> Void
    private let write: @Sendable ([Item], Connection) throws -> [Output]
    private let makeDurable: @Sendable (@escaping @Sendable (Result<Void, StoreError>) -> Void) -> Void

    /// Submissions waiting for the writer: queued, or in the group being written (0 when no ingest
    /// is waiting on the writer; a group being made durable no longer counts).
    var inFlight: Int { active.load(ordering: .relaxed) }

    /// - Parameters:
    ///   - schedule: queues a job on the writer (run later, serially with the writer's other work,
    ///     never on the caller's thread).
    ///   - write: commits all items in one transaction on the writer's connection and returns one
    ///     output per item, in order.
    ///   - makeDurable: called on the writer after each group committed, in commit order; calls its
    ///     argument once that commit is durable (or with the failure that keeps it from being
    ///     acknowledged). By default a commit is durable when it returns.
    init(
        schedule: @escaping @Sendable (@escaping @Sendable (Connection) -> Void) -> Void,
        write: @escaping @Sendable ([Item], Connection) throws -> [Output],
        makeDurable: @escaping @Sendable (@escaping @Sendable (Result<Void, StoreError>) -> Void) -> Void = {
            $0(.success(()))
        }
    ) {
        self.schedule = schedule
        self.write = write
        self.makeDurable = makeDurable
    }

    /// Queues `item`, and returns its output once the transaction holding it has committed.
    func submit(_ item: Item) async throws -> Output {
        active.add(1, ordering: .relaxed)
        return try await withCheckedThrowingContinuation { waiter in
            let startsWriting = state.withLock { state -> Bool in
                state.queue.append((item, waiter))
                if state.isScheduled { return false }
                state.isScheduled = true
                return true
            }
            if startsWriting { schedule(writeQueuedGroup) }
        }
    }

    /// On the writer: writes everything queued in one transaction and hands it over to be made
    /// durable, which wakes its callers and then schedules the next group if more was queued
    /// meanwhile. Only one group is written or synced at a time: requests arriving during a sync
    /// join the next group, so groups stay as large as when the writer itself waited for the disk,
    /// while the writer is free for other work (processing steps) during the sync.
    private func writeQueuedGroup(_ connection: Connection) {
        let group = state.withLock { state in
            defer { state.queue.removeAll(keepingCapacity: true) }
            return state.queue
        }
        let written = Result { try write(group.map(\.item), connection) }
        active.subtract(group.count, ordering: .relaxed)
        do {
            let outputs = try written.get()
            makeDurable { durable in
                switch durable {
                case .success where outputs.count == group.count:
                    for (entry, output) in zip(group, outputs) { entry.waiter.resume(returning: output) }
                case .success:
                    let error = StoreError(
                        .unavailable,
                        "the group commit gave \(outputs.count) results for \(group.count) items"
                    )
                    for entry in group { entry.waiter.resume(throwing: error) }
                case .failure(let error):
                    for entry in group { entry.waiter.resume(throwing: error) }
                }
                self.scheduleNextGroup()
            }
        } catch {
            for entry in group { entry.waiter.resume(throwing: error) }
            scheduleNextGroup()
        }
    }

    /// Schedules the next group on the writer if anything was queued, or notes that none is.
    private func scheduleNextGroup() {
        let hasMore = state.withLock { state -> Bool in
            if state.queue.isEmpty { state.isScheduled = false }
            return state.isScheduled
        }
        if hasMore { schedule(writeQueuedGroup) }
    }
}
