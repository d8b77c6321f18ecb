import Synchronization

/// Wakes the background loops of this process (event processing, the webhook deliverer) as soon as
/// something they may act on is committed, instead of leaving it for their next poll. A wait ends
/// on the next signal, on its timeout (the poll interval, which still catches changes made by
/// other processes), or on cancellation. A loop that reads, then waits, notes ``signals`` before
/// its read and waits with ``wait(upTo:unlessSignalledSince:)``, so that a signal sent during the
/// read is not lost.
public final class ChangeSignal: Sendable {
    private struct State {
        var nextId = 0
        var waiters: [Int: CheckedContinuation<Bool, Never>] = [:]
        var signals = 0
    }

    private let state = Mutex(State())

    /// Creates a signal with nobody waiting.
    public init() {}

    /// How many signals were sent so far.
    public var signals: Int { state.withLock { $0.signals } }

    /// Ends every wait in progress.
    public func signal() {
        let waiters = state.withLock { state in
            defer { state.waiters.removeAll() }
            state.signals += 1
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: true) }
    }

    /// Returns at the next ``signal()``, after `timeout`, or when the task is cancelled, whichever
    /// comes first; at once when a signal was sent since ``signals`` was `seen`. Returns whether a
    /// signal ended the wait.
    @discardableResult
    public func wait(upTo timeout: Duration, unlessSignalledSince seen: Int? = nil) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            group.addTask { await self.nextSignal(after: seen) }
            let signalled = await group.next() ?? false
            group.cancelAll()
            return signalled
        }
    }

    /// Returns `true` at the next ``signal()`` (at once if one came after `seen` signals), `false`
    /// when the task is cancelled.
    private func nextSignal(after seen: Int?) async -> Bool {
        let id = state.withLock { state in
            defer { state.nextId += 1 }
            return state.nextId
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // Whether the wait ends at once: signalled since `seen` (true), or cancelled (false).
                let endsNow = state.withLock { state -> Bool? in
                    if Task.isCancelled { return false }
                    if let seen, state.signals != seen { return true }
                    state.waiters[id] = continuation
                    return nil
                }
                if let endsNow { continuation.resume(returning: endsNow) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(returning: false)
        }
    }
}
