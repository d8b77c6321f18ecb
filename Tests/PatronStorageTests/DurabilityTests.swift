import Foundation
import GRDB
import PatronCore
import Testing

@testable import PatronStorage

/// Ingest commits must stay fsync'd (`synchronous=FULL`) whatever background work ran on the
/// writer connection before them.
struct DurabilityTests {
    @Test func ingestCommitsAreSynchronousFullFromTheFirstOne() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
            .path
        let store = try SQLiteStore(path: path)
        let mode = try await store.writer.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(mode == 2, "2 is FULL (GRDB's WAL set-up leaves NORMAL)")
    }

    @Test func theWriterIsBackToSynchronousFullAfterProcessing() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
            .path
        let store = try SQLiteStore(path: path)
        let body = Data(#"{"batch":[{"type":"identify","userId":"u1","messageId":"1","traits":{"a":1}}]}"#.utf8)
        let request = try SegmentRequest.parse(body: body, single: nil, receivedAt: Date())
        _ = try await store.ingest(IngestBatch(source: "web", accepted: request.accepted, rejected: []))
        #expect(try await store.processPending().events == 1)
        let mode = try await store.writer.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(mode == 2, "2 is FULL")
        let journal = try await store.writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
    }

    @Test func backgroundCheckpointsKeepEveryCommitAndHandTheWriterBackItsThreshold() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
            .path
        let store = try SQLiteStore(path: path)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.runCheckpoints(every: .milliseconds(1)) }
            try await withThrowingTaskGroup(of: Void.self) { requests in
                for request in 0..<20 {
                    requests.addTask {
                        let events = (0..<25).map { index in
                            #"{"type":"track","event":"Viewed","userId":"u\#(index)","messageId":"\#(request)-\#(index)"}"#
                        }
                        let body = Data(#"{"batch":[\#(events.joined(separator: ","))]}"#.utf8)
                        let parsed = try SegmentRequest.parse(body: body, single: nil, receivedAt: Date())
                        let outcome = try await store.ingest(
                            IngestBatch(source: "web", accepted: parsed.accepted, rejected: [])
                        )
                        #expect(outcome.stored == 25)
                    }
                }
                try await requests.waitForAll()
            }
            group.cancelAll()
            try await group.waitForAll()
        }
        #expect(try await store.eventCount() == 500)
        let threshold = try await store.writer.write { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") }
        #expect(threshold == SQLiteStore.automaticCheckpointPages)
        let mode = try await store.writer.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(mode == 2, "2 is FULL")
    }
}
