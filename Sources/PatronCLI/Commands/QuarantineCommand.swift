import ArgumentParser
import Foundation
import PatronCore
import PatronStorage

/// `patron quarantine list|replay`: events that failed validation.
struct QuarantineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine",
        abstract: "Inspect and replay events that failed validation.",
        subcommands: [List.self, Replay.self]
    )

    /// `patron quarantine list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List quarantined events, newest first.")

        @OptionGroup var store: DatabaseOptions

        @Option(help: "Only this reason: \(QuarantineReason.allCases.map(\.rawValue).joined(separator: ", ")).")
        var reason: String?

        @Option(help: "Most events listed.")
        var limit = 100

        @Flag(help: "Also list events already replayed.")
        var includeReplayed = false

        @Option(help: "Output format: table, json or csv.")
        var format: OutputFormat = .table

        func validate() throws {
            if let reason, QuarantineReason(rawValue: reason) == nil {
                throw ValidationError("unknown --reason '\(reason)'")
            }
            guard limit > 0 else { throw ValidationError("--limit must be positive") }
        }

        func run() async throws {
            let records = try await store.open().quarantined(
                limit: limit,
                reason: reason,
                includeReplayed: includeReplayed
            )
            switch format {
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                encoder.dateEncodingStrategy = .iso8601
                print(String(decoding: try encoder.encode(records), as: UTF8.self))
            case .table, .csv:
                let headers = ["id", "source", "reason", "detail", "message_id", "received_at"]
                let rows = records.map {
                    [
                        String($0.id), $0.source, $0.reason, $0.detail, $0.messageId ?? "",
                        SegmentTimestamp.format($0.receivedAt),
                    ]
                }
                print(
                    format == .csv
                        ? TableText.csv(headers: headers, rows: rows) : TableText.render(headers: headers, rows: rows)
                )
            }
        }
    }

    /// `patron quarantine replay`.
    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate quarantined events again and store the ones that now pass (deduplicated on messageId)."
        )

        @OptionGroup var store: DatabaseOptions

        @Option(name: .customLong("id"), help: "A quarantine row to replay; repeatable.")
        var ids: [Int64] = []

        @Flag(help: "Replay every event not yet replayed.")
        var all = false

        func validate() throws {
            guard all != !ids.isEmpty else { throw ValidationError("give either --id (one or more) or --all") }
        }

        func run() async throws {
            let outcome = try await store.open().replayQuarantine(ids: all ? nil : ids)
            print(
                "replayed \(outcome.replayed), already stored \(outcome.duplicates), still invalid \(outcome.stillInvalid)"
            )
        }
    }
}
