import Foundation
import Logging
import PatronCore
import PatronSegments
import PatronServer
import PatronStorage
import PatronTestSupport
import Testing

/// The scheduled refresh re-evaluates segments without new events and fires their triggers.
struct SegmentRefreshServiceTests {
    /// A store in a temporary file with one processed customer, ann, whose plan is "pro".
    static func storeWithAProCustomer() async throws -> SQLiteStore {
        let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
        let store = try SQLiteStore(path: path.path)
        let body = Data(
            #"{"batch":[{"type":"identify","userId":"ann","messageId":"m1","traits":{"plan":"pro"},"timestamp":"2025-01-01T00:00:00Z"}]}"#
                .utf8
        )
        let request = try SegmentRequest.parse(body: body, single: nil, receivedAt: Date())
        _ = try await store.ingest(IngestBatch(source: "web", accepted: request.accepted, rejected: request.rejected))
        try await store.processAll()
        return store
    }

    @Test func aScheduledRefreshFindsNewMembersAndFiresTheirTriggers() async throws {
        let store = try await Self.storeWithAProCustomer()
        // Created after the customer was processed and without a backfill: only the refresh finds ann.
        _ = try await store.createSegment(
            name: "pro",
            condition: try SegmentCondition.parse(#"{"trait": "plan", "op": "eq", "value": "pro"}"#)
        )
        #expect(try await store.segmentMembers(named: "pro").isEmpty)
        _ = try await store.createDestination(name: "crm", url: "https://crm.example.org/hook")
        _ = try await store.createTrigger(name: "welcome", event: .segmentEntered, segment: "pro", destination: "crm")
        // A trait segment only changes on a full refresh: here the one at start alone.
        let service = SegmentRefreshService(
            store: store,
            interval: .milliseconds(20),
            fullRefreshInterval: nil,
            logger: Logger(label: "test")
        )
        let task = Task { try await service.run() }
        defer { task.cancel() }
        var members: [Int64] = []
        for _ in 0..<500 where members.isEmpty {
            try await Task.sleep(for: .milliseconds(10))
            members = try await store.segmentMembers(named: "pro")
        }
        #expect(members.count == 1)
        #expect(try await store.deliveries(destination: "crm").map(\.eventType) == ["segment.entered"])
    }

    /// After the one at start, a full refresh comes again once its interval has passed: a segment
    /// created behind the server's back (no backfill, no new event) gets its members then.
    @Test func aFullRefreshComesAgainAfterItsInterval() async throws {
        let store = try await Self.storeWithAProCustomer()
        let service = SegmentRefreshService(
            store: store,
            interval: .milliseconds(20),
            fullRefreshInterval: .milliseconds(200),
            logger: Logger(label: "test")
        )
        let task = Task { try await service.run() }
        defer { task.cancel() }
        try await Task.sleep(for: .milliseconds(50))
        _ = try await store.createSegment(
            name: "pro",
            condition: try SegmentCondition.parse(#"{"trait": "plan", "op": "eq", "value": "pro"}"#)
        )
        var members: [Int64] = []
        for _ in 0..<500 where members.isEmpty {
            try await Task.sleep(for: .milliseconds(10))
            members = try await store.segmentMembers(named: "pro")
        }
        #expect(members.count == 1)
    }
}
