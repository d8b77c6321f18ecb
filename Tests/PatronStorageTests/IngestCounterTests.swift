import Foundation
import PatronCore
import PatronTestSupport
import Testing

@testable import PatronStorage

/// `eventsSubmittedToIngest`, the pace at which clients send, which event processing measures.
struct IngestCounterTests {
    @Test func theCounterCountsAcceptedEventsWhenTheyAreHandedOver() async throws {
        let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
        let store = try SQLiteStore(path: path.path)
        #expect(store.eventsSubmittedToIngest == 0)
        let body = #"""
            {"batch":[
              {"type":"track","userId":"u1","messageId":"1","event":"Viewed"},
              {"type":"track","userId":"u1","messageId":"2","event":"Viewed"},
              {"type":"track","messageId":"3","event":"no identity"}
            ]}
            """#
        let request = try SegmentRequest.parse(body: Data(body.utf8), single: nil, receivedAt: Date())
        #expect(request.rejected.count == 1)
        let batch = IngestBatch(source: "web", accepted: request.accepted, rejected: request.rejected)
        _ = try await store.ingest(batch)
        #expect(store.eventsSubmittedToIngest == 2, "the quarantined event is not counted")
        let again = try await store.ingest(batch)
        #expect(again.duplicates == 2)
        #expect(store.eventsSubmittedToIngest == 4, "a client sending duplicates still sends")
    }
}
