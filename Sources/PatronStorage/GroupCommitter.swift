import Synchronization

/// Group commit: concurrent callers share one write transaction (and one fsync).
///
/// Callers queue their item and wait. The writer itself drains the queue: the first item queued
/// while no group is being written schedules a job on the writer, which takes everything queued,
/// writes it in one transaction and wakes each caller with its result. If more items were queued
/// while it wrote, it schedules the next such job behind whatever else waits for the writer
/// (processing steps), so those still get their turn. No caller waits for more than the group
/// after its own, and no result goes through another caller's task first: callers are woken
/// straight from the writer's queue.
final class GroupCommitter<Item: Sendable, Output: Sendable, Connection>: Sendable {
    private typealias Waiter = CheckedContinuation<Output, any Error>

    private struct State {
        var queue: [(item: Item, waiter: Waiter)] = []
        var isScheduled = false
    }

    private let state = Mutex(State())
    private let active = Atomic<Int>(0)
    private let schedule: @Sendable (@escaping @Sendable (Connection) -> Void) -> Void
    private let write: @Sendable ([Item], Connection) throws -> [Output]

    /// Submissions not yet answered (0 when no ingest is waiting on the writer).
    var inFlight: Int { active.load(ordering: .relaxed) }

    /// - Parameters:
    ///   - schedule: queues a job on the writer (run later, serially with the writer's other work,
    ///     never on the caller's thread).
    ///   - write: commits all items in one transaction on the writer's connection and returns one
    ///     output per item, in order.
    init(
        schedule: @escaping @Sendable (@escaping @Sendable (Connection) -> Void) -> Void,
        write: @escaping @Sendable ([Item], Connection) throws -> [Output]
    ) {
        self.schedule = schedule
        self.write = write
    }

    /// Queues `item`, and returns its output once the transaction holding it has committed.
    func submit(_ item: Item) async throws -> Output {
        active.add(1, ordering: .relaxed)
        defer { active.subtract(1, ordering: .relaxed) }
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

    /// On the writer: writes everything queued in one transaction, wakes its callers, and schedules
    /// the next group if more was queued meanwhile.
    private func writeQueuedGroup(_ connection: Connection) {
        let group = state.withLock { state in
            defer { state.queue.removeAll(keepingCapacity: true) }
            return state.queue
        }
        do {
            let outputs = try write(group.map(\.item), connection)
            guard outputs.count == group.count else {
                throw StoreError(
                    .unavailable,
                    "the group commit gave \(outputs.count) results for \(group.count) items"
                )
            }
            for (entry, output) in zip(group, outputs) { entry.waiter.resume(returning: output) }
        } catch {
            for entry in group { entry.waiter.resume(throwing: error) }
        }
        let hasMore = state.withLock { state -> Bool in
            if state.queue.isEmpty { state.isScheduled = false }
            return state.isScheduled
        }
        if hasMore { schedule(writeQueuedGroup) }
    }
}
