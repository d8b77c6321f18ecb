import Foundation
import Logging
import PatronCore
import PatronServer
import PatronStorage
import PatronTestSupport
import Prometheus
import Testing

/// The background checkpoints of `patron serve`.
struct CheckpointServiceTests {
    /// Each restart of the write-ahead log shows in `/metrics` with how long its pass held the writer.
    @Test func logRestartsAreTimedInTheMetrics() async throws {
        let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
        let store = try SQLiteStore(path: path.path)
        let metrics = ServerMetrics()
        let service = CheckpointService(
            store: store,
            metrics: metrics,
            logger: Logger(label: "test"),
            restartingLogAt: 250
        )
        let task = Task { try await service.run() }
        defer { task.cancel() }
        var restarts = 0.0
        for round in 0..<200 where restarts < 1 {
            // Eight clients at once, so that commits follow one another and the log grows.
            try await withThrowingTaskGroup(of: Void.self) { clients in
                for client in 0..<8 {
                    clients.addTask {
                        let events = (0..<25).map { index in
                            #"{"type":"track","userId":"u\#(index)","event":"Viewed","messageId":"\#(round)-\#(client)-\#(index)"}"#
                        }
                        let body = Data(#"{"batch":[\#(events.joined(separator: ","))]}"#.utf8)
                        let request = try SegmentRequest.parse(body: body, single: nil, receivedAt: Date())
                        _ = try await store.ingest(
                            IngestBatch(source: "web", accepted: request.accepted, rejected: request.rejected)
                        )
                    }
                }
                try await clients.waitForAll()
            }
            restarts =
                ProcessingServiceTests.values(metrics.registry.emitToString())[
                    "patron_log_restart_pass_duration_seconds_count"
                ] ?? 0
        }
        #expect(restarts >= 1, "a log of many times 250 pages was restarted")
    }
}
