import Synchronization

/// Wakes the background loops of this process (event processing, the webhook deliverer) as soon as
/// something they may act on is committed, instead of leaving it for their next poll. A wait ends
/// on the next signal, on its timeout (the poll interval, which still catches changes made by
/// other processes), or on cancellation.
public final class ChangeSignal: Sendable {
    private struct State {
        var nextId = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    /// Creates a signal with nobody waiting.
    public init() {}

    /// Ends every wait in progress.
    public func signal() {
        let waiters = state.withLock { state in
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns at the next ``signal()``, after `timeout`, or when the task is cancelled, whichever
    /// comes first.
    public func wait(upTo timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.nextSignal() }
            await group.next()
            group.cancelAll()
        }
    }

    /// Returns at the next ``signal()`` or when the task is cancelled.
    private func nextSignal() async {
        let id = state.withLock { state in
            defer { state.nextId += 1 }
            return state.nextId
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let cancelled = state.withLock { state in
                    guard !Task.isCancelled else { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if cancelled { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
