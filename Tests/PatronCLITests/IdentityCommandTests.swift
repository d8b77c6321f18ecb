import Foundation
import PatronCore
import PatronStorage
import PatronTestSupport
import Testing

/// `patron identity split` as a user runs it: the merge is undone and both customers' segments
/// follow at once.
struct IdentityCommandTests {
    @Test func splitMovesTheSegmentsOfBothCustomers() async throws {
        let directory = TemporaryFiles.directory.appendingPathComponent("patron-identity-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = directory.appendingPathComponent("patron.sqlite").path
        // A user, a visitor who viewed a product, then the visitor identifies as the user: a merge.
        let events = """
            {"batch": [
              {"type": "identify", "userId": "u1", "messageId": "m1", "timestamp": "2025-01-01T00:00:00Z"},
              {"type": "track", "anonymousId": "v1", "event": "Viewed", "messageId": "m2", "timestamp": "2025-01-02T00:00:00Z"},
              {"type": "identify", "userId": "u1", "anonymousId": "v1", "messageId": "m3", "timestamp": "2025-01-03T00:00:00Z"}
            ]}
            """
        let store = try SQLiteStore(path: database)
        let request = try SegmentRequest.parse(body: Data(events.utf8), single: nil, receivedAt: Date())
        _ = try await store.ingest(IngestBatch(source: "web", accepted: request.accepted, rejected: request.rejected))
        try await store.processAll()
        let user = try #require(try await store.customerId(anyId: "u1"))
        let merge = try #require(try await store.identityAudit(customer: user).first { $0.action == "merge" })
        let visitor = try #require(merge.otherCustomerId)

        let created = try EndToEndTests.run([
            "segments", "create", "--name", "viewers", "--definition", #"{"event": "Viewed"}"#, "--database", database,
        ])
        #expect(created.status == 0, "\(created.standardError)")
        let split = try EndToEndTests.run(["identity", "split", "--merge", "\(merge.id)", "--database", database])
        #expect(split.status == 0, "\(split.standardError)")
        #expect(split.standardOutput.contains("customer \(visitor) split off customer \(user)"))
        #expect(split.standardOutput.contains("segment viewers: 1 entered, 1 exited"), "\(split.standardOutput)")
        let members = try await store.segmentMembers(segmentId: 1)
        #expect(members == [visitor])
    }
}
