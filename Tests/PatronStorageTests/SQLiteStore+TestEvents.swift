import Foundation
import PatronCore
import PatronStorage
import Testing

extension SQLiteStore {
    /// Stores `events` (JSON objects of a batch) as source `web`, then processes everything.
    func storeAndProcess(_ events: [String]) async throws {
        let body = Data(#"{"batch":[\#(events.joined(separator: ","))]}"#.utf8)
        let request = try SegmentRequest.parse(body: body, single: nil, receivedAt: Date())
        #expect(request.rejected.isEmpty, "test events must be valid: \(request.rejected)")
        _ = try await ingest(IngestBatch(source: "web", accepted: request.accepted, rejected: request.rejected))
        try await processAll()
    }
}
