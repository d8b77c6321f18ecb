import Synchronization

/// Group commit: concurrent callers share one write transaction (and one fsync).
///
/// The first caller to find no flush in progress becomes the leader: it takes everything queued,
/// writes it in one transaction, hands each caller its result, and repeats until the queue is empty.
/// Everyone else waits for their result. No background task is needed; the queue is drained by the
/// requests themselves.
final class GroupCommitter<Item: Sendable, Output: Sendable>: Sendable {
    private struct State {
        var queue: [(ticket: Int, item: Item)] = []
        var isFlushing = false
        var nextTicket = 0
        var results: [Int: Result<Output, any Error>] = [:]
        var waiters: [Int: CheckedContinuation<Output, any Error>] = [:]
    }

    private let state = Mutex(State())
    private let active = Atomic<Int>(0)

    /// Submissions not yet answered (0 when no ingest is waiting on the writer).
    var inFlight: Int { active.load(ordering: .relaxed) }
    private let write: @Sendable ([Item]) async throws -> [Output]

    /// - Parameter write: commits all items in one transaction and returns one output per item, in order.
    init(write: @escaping @Sendable ([Item]) async throws -> [Output]) {
        self.write = write
    }

    /// Queues `item`, and returns its output once the transaction holding it has committed.
    func submit(_ item: Item) async throws -> Output {
        active.add(1, ordering: .relaxed)
        defer { active.subtract(1, ordering: .relaxed) }
        let (ticket, isLeader) = state.withLock { state -> (Int, Bool) in
            let ticket = state.nextTicket
            state.nextTicket += 1
            state.queue.append((ticket, item))
            if state.isFlushing { return (ticket, false) }
            state.isFlushing = true
            return (ticket, true)
        }
        if isLeader { await drain() }
        return try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<Output, any Error>? in
                if let result = state.results.removeValue(forKey: ticket) { return result }
                state.waiters[ticket] = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    private func drain() async {
        while true {
            let group = state.withLock { state -> [(ticket: Int, item: Item)]? in
                if state.queue.isEmpty {
                    state.isFlushing = false
                    return nil
                }
                defer { state.queue.removeAll(keepingCapacity: true) }
                return state.queue
            }
            guard let group else { return }
            let results: [Result<Output, any Error>]
            do {
                let outputs = try await write(group.map(\.item))
                results = outputs.map { .success($0) }
            } catch {
                results = Array(repeating: .failure(error), count: group.count)
            }
            let resumable = state.withLock {
                state -> [(CheckedContinuation<Output, any Error>, Result<Output, any Error>)] in
                var resumable: [(CheckedContinuation<Output, any Error>, Result<Output, any Error>)] = []
                for (entry, result) in zip(group, results) {
                    if let waiter = state.waiters.removeValue(forKey: entry.ticket) {
                        resumable.append((waiter, result))
                    } else {
                        state.results[entry.ticket] = result
                    }
                }
                return resumable
            }
            for (waiter, result) in resumable { waiter.resume(with: result) }
        }
    }
}
