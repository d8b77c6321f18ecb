import Foundation
import Logging
import PatronCore
import PatronSegments
import PatronServer
import PatronStorage
import PatronTestSupport
import Testing

/// The processing loop of `patron serve`.
struct ProcessingServiceTests {
    /// Processing's lag is the age of the last event it processed, and nothing processed is no lag.
    @Test func lagIsTheAgeOfTheLastEventProcessed() {
        let now = Date()
        var outcome = ProcessingOutcome(events: 200, conflicts: [])
        #expect(!ProcessingService.isBehind(outcome, by: .zero, now: now), "nothing processed, nothing to lag")
        outcome.lastReceivedAt = now.addingTimeInterval(-0.2)
        #expect(ProcessingService.isBehind(outcome, by: .milliseconds(100), now: now))
        #expect(!ProcessingService.isBehind(outcome, by: .seconds(1), now: now))
        outcome.lastReceivedAt = now.addingTimeInterval(-1.5)
        #expect(ProcessingService.isBehind(outcome, by: .seconds(1), now: now))
    }

    /// Events processed before a crash, whose event triggers had not been matched yet, are matched
    /// when the server starts again, without waiting for new events.
    @Test func eventTriggersLeftBehindAreMatchedAtStart() async throws {
        let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
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
