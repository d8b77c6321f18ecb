import Foundation
import Logging
import PatronCore
import PatronSegments
import PatronServer
import PatronStorage
import PatronTestSupport
import Prometheus
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

    /// A backlog shows in `/metrics`: catch-up steps, the pause that measures the clients' pace, the
    /// steps' durations, and a lag that is back to 0 once the backlog is processed.
    @Test func processingReportsItsStepsLagAndPauses() async throws {
        let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
        let store = try SQLiteStore(path: path.path)
        // Received a minute ago: processing starts a minute behind.
        let received = Date().addingTimeInterval(-60)
        for batch in 0..<4 {
            let events = (0..<500).map { index in
                #"{"type":"track","userId":"u\#(index)","event":"Viewed","messageId":"m\#(batch)-\#(index)"}"#
            }
            let body = Data(#"{"batch":[\#(events.joined(separator: ","))]}"#.utf8)
            let request = try SegmentRequest.parse(body: body, single: nil, receivedAt: received)
            _ = try await store.ingest(
                IngestBatch(source: "web", accepted: request.accepted, rejected: request.rejected)
            )
        }
        let metrics = ServerMetrics()
        let service = ProcessingService(store: store, metrics: metrics, logger: Logger(label: "test"))
        let task = Task { try await service.run() }
        defer { task.cancel() }
        var values: [String: Double] = [:]
        var highestLag = 0.0
        for _ in 0..<1000 {
            try await Task.sleep(for: .milliseconds(10))
            values = Self.values(metrics.registry.emitToString())
            highestLag = max(highestLag, values["patron_processing_lag_seconds"] ?? 0)
            if try await store.ingestStatus().pendingEvents == 0, values["patron_processing_lag_seconds"] == 0 { break }
        }
        #expect(highestLag >= 59, "a step left processing behind events received a minute ago")
        #expect(values["patron_events_processed_total"] == 2000)
        #expect(values["patron_processing_lag_seconds"] == 0, "caught up: no lag")
        #expect(
            (values["patron_processing_step_duration_seconds_count"] ?? 0) >= 2,
            "at least a full step and the rest"
        )
        #expect((values["patron_processing_step_duration_seconds_sum"] ?? 0) > 0)
        #expect((values["patron_processing_catch_up_steps_total"] ?? 0) >= 1, "a minute behind after the first step")
        // The first catch-up measures the clients' pace in a pause of 20–60 ms.
        #expect((values["patron_processing_pause_duration_seconds_count"] ?? 0) >= 1)
        #expect((values["patron_processing_pause_duration_seconds_sum"] ?? 0) >= 0.02)
    }

    /// The unlabelled samples of a Prometheus text exposition, by name.
    static func values(_ exposition: String) -> [String: Double] {
        var values: [String: Double] = [:]
        for line in exposition.split(separator: "\n") where !line.hasPrefix("#") && !line.contains("{") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Double(parts[1]) { values[String(parts[0])] = value }
        }
        return values
    }
}
