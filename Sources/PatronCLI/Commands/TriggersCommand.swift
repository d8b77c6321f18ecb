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
                score and segments (and the event); the destination's consent purpose and frequency cap apply. A \
                score trigger fires when a new score (real-time re-score, refit, scheduled refresh) makes its \
                condition start to hold; the condition is kept as segment `score:NAME`.

                Examples:
                  patron triggers create --name winback --on segment.entered --segment at-risk --destination email-tool
                  patron triggers create --name churn-risk --on score.changed --destination crm \\
                    --condition '{"all": [{"score": "valueDecile", "op": "ge", "value": 8}, \\
                                          {"score": "probabilityAlive", "op": "lt", "value": 0.5}]}'
                  patron triggers create --name big-cart --on event.matched --event "Cart Abandoned" \\
                    --filter '{"properties": [{"property": "value", "op": "gt", "value": 50}], \\
                               "customer": {"score": "valueDecile", "op": "ge", "value": 8}}' --destination push
                """
        )
        @OptionGroup var store: DatabaseOptions
        @Option(help: "A unique name.") var name: String
        @Option(help: "segment.entered, segment.exited, event.matched or score.changed.") var on: String
        @Option(help: "The segment (segment.entered and segment.exited).") var segment: String?
        @Option(help: "The track event name (event.matched).") var event: String?
        @Option(help: "The event filter as JSON: {\"properties\": [...], \"customer\": condition} (event.matched).")
        var filter: String?
        @Option(help: "The segment condition (JSON) that must start to hold, reading a score field (score.changed).")
        var condition: String?
        @Option(help: "The destination.") var destination: String

        func validate() throws {
            guard let kind = Trigger.Event(rawValue: on) else {
                throw ValidationError(
                    "--on must be segment.entered, segment.exited, event.matched or score.changed, got '\(on)'"
                )
            }
            let given = [("--segment", segment), ("--event", event), ("--filter", filter), ("--condition", condition)]
                .filter { $0.1 != nil }.map(\.0)
            let expected: [String] =
                switch kind {
                case .segmentEntered, .segmentExited: ["--segment"]
                case .eventMatched: ["--event", "--filter"]
                case .scoreChanged: ["--condition"]
                }
            if let wrong = given.first(where: { !expected.contains($0) }) {
                throw ValidationError(
                    "\(wrong) does not go with --on \(on); use \(expected.joined(separator: " and "))"
                )
            }
            guard given.contains(expected[0]) else { throw ValidationError("--on \(on) needs \(expected[0])") }
            do {
                _ = try filter.map { text throws(SegmentError) in try EventTriggerFilter.parse(text) }
                _ = try condition.map { text throws(SegmentError) in try SegmentCondition.parse(text) }
            } catch {
                throw ValidationError("\(filter != nil ? "--filter" : "--condition"): \(error)")
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
            } else if let condition {
                trigger = try await patron.createScoreTrigger(
                    name: name,
                    condition: try SegmentCondition.parse(condition),
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
