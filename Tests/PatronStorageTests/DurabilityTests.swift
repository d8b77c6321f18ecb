import Foundation
import GRDB
import PatronCore
import Testing

@testable import PatronStorage

/// Ingest commits must stay fsync'd (`synchronous=FULL`) whatever background work ran on the
/// writer connection before them.
struct DurabilityTests {
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
}
