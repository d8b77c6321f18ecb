import Dispatch
import Synchronization
import Testing

@testable import PatronStorage

/// The group committer on a stand-in writer: a serial queue that records each group it writes.
struct GroupCommitterTests {
    /// A serial writer that records the groups it was given.
    final class RecordingWriter: Sendable {
        let queue = DispatchQueue(label: "patron.test.writer")
        let groups = Mutex<[[Int]]>([])

        func makeCommitter() -> GroupCommitter<Int, Int, RecordingWriter> {
            GroupCommitter(
                schedule: { job in self.queue.async { job(self) } },
                write: { items, writer in
                    writer.groups.withLock { $0.append(items) }
                    if items.contains(-1) { throw WriteFailure() }
                    return items.map { $0 * 2 }
                }
            )
        }
    }

    struct WriteFailure: Error {}

    @Test func everySubmissionIsWrittenOnceAndGetsItsOwnOutput() async throws {
        let writer = RecordingWriter()
        let committer = writer.makeCommitter()
        let outputs = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for item in 0..<200 { group.addTask { (item, try await committer.submit(item)) } }
            var outputs: [Int: Int] = [:]
            for try await (item, output) in group { outputs[item] = output }
            return outputs
        }
        #expect(outputs.count == 200)
        #expect(outputs.allSatisfy { $0.value == $0.key * 2 })
        let written = writer.groups.withLock { $0 }
        #expect(written.flatMap { $0 }.sorted() == Array(0..<200))
        #expect(written.allSatisfy { !$0.isEmpty })
        #expect(committer.inFlight == 0)
    }

    @Test func aFailedWriteFailsItsSubmissionsAndTheNextGroupStillCommits() async throws {
        let writer = RecordingWriter()
        let committer = writer.makeCommitter()
        await #expect(throws: WriteFailure.self) { try await committer.submit(-1) }
        #expect(try await committer.submit(21) == 42)
    }
}
