import ArgumentParser
import Foundation
import PatronSegments
import PatronStorage

/// `patron triggers`: what sends webhooks.
struct TriggersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triggers",
        abstract:
            "Triggers: send a signed webhook to a destination when a customer enters or leaves a segment, or on a matching event.",
        subcommands: [Create.self, List.self]
    )

    /// `patron triggers create`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a trigger.",
            discussion: """
                A segment trigger's webhook is queued in the same transaction as the membership change (on each \
                processed event, on the scheduled refresh, or by `patron segments backfill`). An event trigger's \
                webhook is queued, with a durable cursor, for each `track` event of the name stored after the \
                trigger was created that passes the filter: comparisons on the event's properties (all must hold) \
                and a segment condition on the customer at that moment. Webhooks carry the customer's ids, traits, \
                score and segments (and the event); the destination's consent purpose and frequency cap apply.

                Examples:
                  patron triggers create --name winback --on segment.entered --segment at-risk --destination email-tool
                  patron triggers create --name big-cart --on event.matched --event "Cart Abandoned" \\
                    --filter '{"properties": [{"property": "value", "op": "gt", "value": 50}], \\
                               "customer": {"score": "valueDecile", "op": "ge", "value": 8}}' --destination push
                """
        )
        @OptionGroup var store: DatabaseOptions
        @Option(help: "A unique name.") var name: String
        @Option(help: "segment.entered, segment.exited or event.matched.") var on: String
        @Option(help: "The segment (segment.entered and segment.exited).") var segment: String?
        @Option(help: "The track event name (event.matched).") var event: String?
        @Option(help: "The event filter as JSON: {\"properties\": [...], \"customer\": condition} (event.matched).")
        var filter: String?
        @Option(help: "The destination.") var destination: String

        func validate() throws {
            guard let kind = Trigger.Event(rawValue: on) else {
                throw ValidationError("--on must be segment.entered, segment.exited or event.matched, got '\(on)'")
            }
            if kind.isSegmentEvent {
                guard segment != nil else { throw ValidationError("--on \(on) needs --segment") }
                guard event == nil, filter == nil else {
                    throw ValidationError("--event and --filter go with --on event.matched, not \(on)")
                }
            } else {
                guard let event, !event.isEmpty else { throw ValidationError("--on event.matched needs --event NAME") }
                guard segment == nil else {
                    throw ValidationError("--segment goes with segment.entered or segment.exited")
                }
                if let filter {
                    do {
                        _ = try EventTriggerFilter.parse(filter)
                    } catch {
                        throw ValidationError("--filter: \(error)")
                    }
                }
            }
        }

        func run() async throws {
            let patron = try store.open()
            let trigger: Trigger
            if let segment {
                trigger = try await patron.createTrigger(
                    name: name,
                    event: Trigger.Event(rawValue: on) ?? .segmentEntered,
                    segment: segment,
                    destination: destination
                )
            } else {
                trigger = try await patron.createEventTrigger(
                    name: name,
                    eventName: event ?? "",
                    filter: try filter.map { text throws(SegmentError) in try EventTriggerFilter.parse(text) },
                    destination: destination
                )
            }
            print("Created trigger \(trigger.name): \(trigger.source) → \(trigger.destination)")
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
            let headers = ["name", "on", "segment or event", "filter", "destination", "enabled"]
            let rows = triggers.map {
                [
                    $0.name, $0.event.rawValue, $0.segment ?? $0.eventName ?? "", $0.filter ?? "", $0.destination,
                    String($0.enabled),
                ]
            }
            print(
                format == .csv
                    ? TableText.csv(headers: headers, rows: rows) : TableText.render(headers: headers, rows: rows)
            )
        }
    }
}
