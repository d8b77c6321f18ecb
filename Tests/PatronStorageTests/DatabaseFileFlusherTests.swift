import Foundation
import PatronTestSupport
import Testing

@testable import PatronStorage

/// The background syncs of the database file that keep the log restart's pass in the writer's
/// turn short: each request starts one unless one runs, none blocks, and none is left hanging.
struct DatabaseFileFlusherTests {
    /// Waits (up to 10 s) until `flusher` has finished `count` syncs.
    static func waitUntil(_ flusher: DatabaseFileFlusher, finished count: Int) async throws {
        for _ in 0..<1_000 where flusher.finishedFlushes < count {
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    static func temporaryFile() throws -> String {
        let path = TemporaryFiles.directory.appendingPathComponent("patron-flush-\(UUID().uuidString).sqlite").path
        try Data(repeating: 7, count: 64 * 1024).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func eachRequestSyncsTheFileOnceItsFlushIsOver() async throws {
        let flusher = DatabaseFileFlusher(path: try Self.temporaryFile())
        #expect(flusher.flush())
        try await Self.waitUntil(flusher, finished: 1)
        #expect(flusher.finishedFlushes == 1)
        #expect(flusher.flush(), "a request after the last flush finished starts a new one")
        try await Self.waitUntil(flusher, finished: 2)
        #expect(flusher.finishedFlushes == 2)
        #expect(flusher.failedFlushes == 0)
    }

    @Test func requestsWhileAFlushRunsAreDroppedAndNoneHangs() async throws {
        let flusher = DatabaseFileFlusher(path: try Self.temporaryFile())
        let started = (0..<200).filter { _ in flusher.flush() }.count
        #expect(started >= 1)
        #expect(started < 200, "200 requests in a row overlap a running flush")
        try await Self.waitUntil(flusher, finished: started)
        #expect(flusher.finishedFlushes == started, "every flush started finishes, and no other")
        #expect(flusher.flush(), "no flush is left marked as running")
    }

    @Test func aFlushWaitedForIsDoneWhenItReturnsEvenBehindARunningOne() async throws {
        let flusher = DatabaseFileFlusher(path: try Self.temporaryFile())
        #expect(flusher.flush())
        await flusher.flushAndWait()
        #expect(flusher.finishedFlushes == 2, "the running flush, then the one waited for, both done")
        #expect(flusher.failedFlushes == 0)
        #expect(flusher.flush(), "no flush is left marked as running")
    }

    @Test func aFileThatCannotBeOpenedIsNeverFlushed() {
        let missing = TemporaryFiles.directory.appendingPathComponent("patron-missing-\(UUID().uuidString)").path
        let flusher = DatabaseFileFlusher(path: missing)
        #expect(!flusher.flush())
        #expect(flusher.finishedFlushes == 0)
    }

    @Test func waitingForAFileThatCannotBeOpenedReturnsAtOnce() async {
        let missing = TemporaryFiles.directory.appendingPathComponent("patron-missing-\(UUID().uuidString)").path
        let flusher = DatabaseFileFlusher(path: missing)
        await flusher.flushAndWait()
        #expect(flusher.finishedFlushes == 0)
    }
}
