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
        /// The durability acknowledgements of a committer made by ``makeCommitterHoldingDurability()``,
        /// oldest first, until the test releases them.
        let heldAcknowledgements = Mutex<[@Sendable (Result<Void, StoreError>) -> Void]>([])

        /// A committer whose outputs are the items doubled (-1 fails the write).
        func makeCommitter(
            makeDurable: @escaping @Sendable (@escaping @Sendable (Result<Void, StoreError>) -> Void) -> Void = {
                $0(.success(()))
            }
        ) -> GroupCommitter<Int, Int, RecordingWriter> {
            GroupCommitter(
                schedule: { job in self.queue.async { job(self) } },
                write: { items, writer in
                    writer.groups.withLock { $0.append(items) }
                    if items.contains(-1) { throw WriteFailure() }
                    return items.map { $0 * 2 }
                },
                makeDurable: makeDurable
            )
        }

        /// A committer whose groups become durable only when ``releaseOldestGroup(_:)`` says so.
        func makeCommitterHoldingDurability() -> GroupCommitter<Int, Int, RecordingWriter> {
            makeCommitter { acknowledge in self.heldAcknowledgements.withLock { $0.append(acknowledge) } }
        }

        /// Waits until a written group waits to be made durable.
        func waitForAHeldGroup() async throws {
            while heldAcknowledgements.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(1)) }
        }

        /// Ends the sync of the oldest group held, with `result`.
        func releaseOldestGroup(_ result: Result<Void, StoreError> = .success(())) {
            heldAcknowledgements.withLock { $0.removeFirst() }(result)
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

    @Test func callersAreAnsweredOnlyOnceTheirGroupIsDurableAndADurabilityFailureFailsThem() async throws {
        let writer = RecordingWriter()
        let committer = writer.makeCommitterHoldingDurability()
        let answered = Atomic<Int>(0)
        let first = Task {
            defer { answered.add(1, ordering: .relaxed) }
            return try await committer.submit(1)
        }
        try await writer.waitForAHeldGroup()
        try await Task.sleep(for: .milliseconds(20))
        #expect(answered.load(ordering: .relaxed) == 0, "written, not yet durable: no answer")
        #expect(committer.inFlight == 0, "a group being made durable no longer waits for the writer")
        writer.releaseOldestGroup()
        #expect(try await first.value == 2)
        let second = Task { try await committer.submit(3) }
        try await writer.waitForAHeldGroup()
        writer.releaseOldestGroup(.failure(StoreError(.unavailable, "the disk is gone")))
        await #expect(throws: StoreError.self) { try await second.value }
        #expect(writer.groups.withLock { $0 } == [[1], [3]])
    }

    @Test func requestsArrivingDuringASyncJoinOneNextGroup() async throws {
        let writer = RecordingWriter()
        let committer = writer.makeCommitterHoldingDurability()
        let first = Task { try await committer.submit(1) }
        try await writer.waitForAHeldGroup()
        let later = (2...4).map { item in Task { try await committer.submit(item) } }
        // The three later ones wait for the writer; the first, written, only for its sync.
        while committer.inFlight < 3 { try await Task.sleep(for: .milliseconds(1)) }
        try await Task.sleep(for: .milliseconds(20))
        #expect(writer.groups.withLock { $0 } == [[1]], "nothing more is written while a group syncs")
        writer.releaseOldestGroup()
        #expect(try await first.value == 2)
        try await writer.waitForAHeldGroup()
        writer.releaseOldestGroup()
        for (offset, task) in later.enumerated() { #expect(try await task.value == 2 * (offset + 2)) }
        let groups = writer.groups.withLock { $0 }
        #expect(groups.count == 2)
        #expect(groups.last?.sorted() == [2, 3, 4])
    }
}
