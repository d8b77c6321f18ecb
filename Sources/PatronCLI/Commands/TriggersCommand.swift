import ArgumentParser
import Foundation
import PatronStorage

/// `patron triggers`: what sends webhooks.
struct TriggersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triggers",
        abstract: "Triggers: send a signed webhook to a destination when a customer enters or leaves a segment.",
        subcommands: [Create.self, List.self]
    )

    /// `patron triggers create`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a trigger.",
            discussion: """
                The webhook is queued in the same transaction as the membership change (on each processed event, \
                or by `patron segments backfill`) and carries the customer's ids, traits, score and segments; \
                the destination's consent purpose and frequency cap apply.

                Example:
                  patron triggers create --name winback --on segment.entered --segment at-risk --destination email-tool
                """
        )
        @OptionGroup var store: DatabaseOptions
        @Option(help: "A unique name.") var name: String
        @Option(help: "segment.entered or segment.exited.") var on: String
        @Option(help: "The segment.") var segment: String
        @Option(help: "The destination.") var destination: String

        func validate() throws {
            guard Trigger.Event(rawValue: on) != nil else {
                throw ValidationError("--on must be segment.entered or segment.exited, got '\(on)'")
            }
        }

        func run() async throws {
            let trigger = try await store.open().createTrigger(
                name: name,
                event: Trigger.Event(rawValue: on) ?? .segmentEntered,
                segment: segment,
                destination: destination
            )
            print(
                "Created trigger \(trigger.name): \(trigger.event.rawValue) \(trigger.segment) → \(trigger.destination)"
            )
        }
    }

    /// `patron triggers list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the triggers.")
        @OptionGroup var store: DatabaseOptions
        @Option(help: "Output format: table, json or csv.") var format: OutputFormat = .table

        func run() async throws {
            let triggers = try await store.open().triggers()
            if format == .json { return print(try EncodedJSON.text(triggers)) }
            let headers = ["name", "on", "segment", "destination", "enabled"]
            let rows = triggers.map { [$0.name, $0.event.rawValue, $0.segment, $0.destination, String($0.enabled)] }
            print(
                format == .csv
                    ? TableText.csv(headers: headers, rows: rows) : TableText.render(headers: headers, rows: rows)
            )
        }
    }
}
