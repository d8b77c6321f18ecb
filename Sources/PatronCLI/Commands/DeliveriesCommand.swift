import ArgumentParser
import Foundation
import PatronStorage

/// `patron deliveries`: the webhook outbox.
struct DeliveriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliveries",
        abstract: "The webhook outbox: list deliveries and replay dead-lettered ones.",
        subcommands: [List.self, Replay.self]
    )

    /// `patron deliveries list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List deliveries, newest first.")
        @OptionGroup var store: DatabaseOptions
        @Option(help: "Only this status: pending, delivered, dead or suppressed.") var status: String?
        @Option(help: "Only this destination.") var destination: String?
        @Option(help: "At most this many.") var limit = 100
        @Option(help: "Output format: table, json or csv.") var format: OutputFormat = .table

        func validate() throws {
            if let status, Delivery.Status(rawValue: status) == nil {
                throw ValidationError("--status must be pending, delivered, dead or suppressed, got '\(status)'")
            }
            guard (1...100_000).contains(limit) else { throw ValidationError("--limit must be 1…100000") }
        }

        func run() async throws {
            let deliveries = try await store.open().deliveries(
                status: status.flatMap(Delivery.Status.init(rawValue:)),
                destination: destination,
                limit: limit
            )
            if format == .json { return print(try EncodedJSON.text(deliveries)) }
            let headers = [
                "id", "webhook_id", "event", "status", "attempts", "last_status", "last_error", "next_attempt",
            ]
            let rows = deliveries.map {
                [
                    String($0.id), $0.webhookId, $0.eventType, $0.status.rawValue, String($0.attempts),
                    $0.lastStatusCode.map(String.init) ?? "", $0.lastError ?? "",
                    $0.nextAttemptAt.map { ISO8601DateFormatter().string(from: $0) } ?? "",
                ]
            }
            print(
                format == .csv
                    ? TableText.csv(headers: headers, rows: rows) : TableText.render(headers: headers, rows: rows)
            )
        }
    }

    /// `patron deliveries replay`.
    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put dead-lettered deliveries back in the queue with a fresh retry budget."
        )
        @OptionGroup var store: DatabaseOptions
        @Option(name: .customLong("id"), help: "A delivery id; repeatable (default: every dead one).") var ids:
            [Int64] = []
        @Option(help: "Only this destination.") var destination: String?

        func run() async throws {
            let count = try await store.open().replayDeliveries(ids: ids.isEmpty ? nil : ids, destination: destination)
            print("Requeued \(count) dead-lettered deliveries; the running `patron serve` sends them.")
        }
    }
}
