import Foundation
import Logging
import PatronCore
import PatronSegments
import PatronServer
import PatronStorage
import Testing

/// The processing loop of `patron serve`.
struct ProcessingServiceTests {
    /// Processing gives way to ingest only when it is losing ground: a full step, more than a second
    /// behind, and ingest stored more events during the step than it processed. A backlog it
    /// outpaces, or a lag under a second, gets no pause.
    @Test func processingGivesWayOnlyWhenLosingGround() {
        let now = Date()
        var outcome = ProcessingOutcome(events: 200, conflicts: [])
        func givesWay(limit: Int = 200, stored: Int) -> Bool {
            ProcessingService.isLosingGround(outcome, limit: limit, storedMeanwhile: stored, now: now)
        }
        #expect(!ProcessingService.isBehind(outcome, now: now), "nothing processed, nothing to lag")
        #expect(!givesWay(stored: 900))
        outcome.lastReceivedAt = now.addingTimeInterval(-0.2)
        #expect(!ProcessingService.isBehind(outcome, now: now))
        #expect(!givesWay(stored: 900), "less than a second behind")
        outcome.lastReceivedAt = now.addingTimeInterval(-1.5)
        #expect(ProcessingService.isBehind(outcome, now: now))
        #expect(givesWay(stored: 900), "behind, and ingest outpaces processing")
        #expect(!givesWay(stored: 150), "behind, but catching up: no pause")
        #expect(!givesWay(stored: 200), "as fast as ingest is not losing ground")
        #expect(!givesWay(limit: 500, stored: 900), "a step short of its limit caught up")
    }

    /// Events processed before a crash, whose event triggers had not been matched yet, are matched
    /// when the server starts again, without waiting for new events.
    @Test func eventTriggersLeftBehindAreMatchedAtStart() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
        let store = try SQLiteStore(path: path.path)
        _ = try await store.createDestination(name: "push", url: "https://push.example.org/hook")
        _ = try await store.createEventTrigger(
            name: "cart",
            eventName: "Cart Abandoned",
            filter: nil,
            destination: "push"
        )
        let body = Data(
            #"{"batch":[{"type":"track","userId":"ann","event":"Cart Abandoned","messageId":"m1","timestamp":"2025-01-01T00:00:00Z"}]}"#
                .utf8
        )
        let request = try SegmentRequest.parse(body: body, single: nil, receivedAt: Date())
        _ = try await store.ingest(IngestBatch(source: "web", accepted: request.accepted, rejected: request.rejected))
        try await store.processAll()  // processed, as before a crash; the trigger's cursor did not move
        #expect(try await store.deliveries(destination: "push").isEmpty)

        let service = ProcessingService(store: store, metrics: ServerMetrics(), logger: Logger(label: "test"))
        let task = Task { try await service.run() }
        defer { task.cancel() }
        var deliveries: [Delivery] = []
        for _ in 0..<500 where deliveries.isEmpty {
            try await Task.sleep(for: .milliseconds(10))
            deliveries = try await store.deliveries(destination: "push")
        }
        #expect(deliveries.map(\.eventType) == ["event.matched"])
    }
}
