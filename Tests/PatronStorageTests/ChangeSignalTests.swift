import Foundation
import PatronStorage
import PatronTestSupport
import Synchronization
import Testing

/// The wake-up of the background loops: a wait ends on a signal or on cancellation, long before
/// its (here ten-minute) timeout, and a store signals its commits.
struct ChangeSignalTests {
    /// Set once a waiter has woken.
    final class Flag: Sendable {
        private let value = Atomic<Bool>(false)
        var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
        func set() { value.store(true, ordering: .sequentiallyConsistent) }
    }

    @Test func aSignalEndsTheWait() async {
        let signal = ChangeSignal()
        let ended = Flag()
        let waiter = Task {
            await signal.wait(upTo: .seconds(600))
            ended.set()
        }
        // A signal sent before the wait began is not kept: signal until the waiter has woken.
        while !ended.isSet {
            signal.signal()
            try? await Task.sleep(for: .milliseconds(5))
        }
        await waiter.value
        #expect(ended.isSet)
    }

    /// A signal sent after a loop noted the count (during its read) ends its next wait at once.
    @Test func aSignalSentSinceTheCountWasNotedEndsTheWaitAtOnce() async {
        let signal = ChangeSignal()
        let seen = signal.signals
        signal.signal()
        #expect(signal.signals == seen + 1)
        // No other signal comes: only the one sent since `seen` can end the wait before its timeout.
        #expect(await signal.wait(upTo: .seconds(300), unlessSignalledSince: seen), "ended by the signal")
        #expect(await !signal.wait(upTo: .milliseconds(10), unlessSignalledSince: seen + 1), "ended by its timeout")
    }

    @Test func cancellationEndsTheWait() async {
        let signal = ChangeSignal()
        let waiter = Task { await signal.wait(upTo: .seconds(600)) }
        try? await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        #expect(await !waiter.value, "ended by the cancellation, not a signal")
        #expect(waiter.isCancelled)
    }

    @Test func aStoreSignalsItsCommits() async throws {
        let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
        let store = try SQLiteStore(path: path.path)
        let keys = try await commitsUntilWoken(by: store.changes) { key in
            try await store.addWriteKey("key-\(key)", source: "web")
        }
        #expect(keys >= 1)
    }

    /// Commits with `commit` (given 1, 2, …), 5 ms apart, until a wait on `signal` that began
    /// meanwhile has ended (a signal sent before the wait began is not kept).
    /// - Returns: how many commits it took.
    func commitsUntilWoken(
        by signal: ChangeSignal,
        _ commit: (Int) async throws -> Void
    ) async throws -> Int {
        let ended = Flag()
        let waiter = Task {
            await signal.wait(upTo: .seconds(600))
            ended.set()
        }
        var commits = 0
        while !ended.isSet {
            commits += 1
            try await commit(commits)
            try? await Task.sleep(for: .milliseconds(5))
        }
        await waiter.value
        return commits
    }

    @Test(.timeLimit(.minutes(1))) func queuingAWebhookSignalsTheDeliverers() async throws {
        let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
        let store = try SQLiteStore(path: path.path)
        _ = try await store.createDestination(name: "crm", url: "https://crm.example.org/hook")
        let queued = try await commitsUntilWoken(by: SQLiteStore.deliveriesQueued) { _ in
            _ = try await store.enqueueDelivery(toDestination: "crm", eventType: "test", payload: "{}")
        }
        #expect(queued >= 1)
    }
}
