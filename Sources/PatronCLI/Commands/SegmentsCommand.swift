import ArgumentParser
import Foundation
import PatronCore
import PatronSegments
import PatronStorage

/// `patron segments create|update|list|show|preview|backfill|export`: customer segments defined by
/// a JSON condition (see README, "Segments").
struct SegmentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segments",
        abstract: "Define customer segments by a JSON condition, count, backfill and export their members.",
        discussion: """
            A condition is a JSON object, for example
              {"all": [{"trait": "plan", "op": "eq", "value": "pro"},
                       {"event": "Order Completed", "op": "ge", "count": 3, "inLast": "90d"},
                       {"score": "probabilityAlive", "op": "lt", "value": 0.5}]}
            Kinds: trait, score, event (count or followedBy/notFollowedBy within), segment, all, any, not.
            Operators: eq, ne, lt, le, gt, ge, in, contains, exists, startsWith, regex, between.
            """,
        subcommands: [
            Create.self, Update.self, List.self, Show.self, Preview.self, Backfill.self, Export.self,
        ]
    )

    /// `patron segments create`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a segment and backfill its members now."
        )

        @OptionGroup var store: DatabaseOptions

        @Option(help: "The segment's unique name.")
        var name: String

        @Option(help: "The condition: a JSON file, or the JSON itself.")
        var definition: String

        @Flag(help: "Store the definition without computing its members.")
        var noBackfill = false

        @Option(help: "Output format: table, json or csv.")
        var format: OutputFormat = .table

        func validate() throws { try SegmentsCommand.validate(name: name) }

        func run() async throws {
            let condition = try SegmentDefinitionText.condition(definition)
            let database = try store.open()
            _ = try await database.createSegment(name: name, condition: condition)
            let change = noBackfill ? nil : try await database.backfillSegment(named: name)
            try SegmentsCommand.printChanges(change.map { [name: $0] } ?? [:], format: format)
        }
    }

    /// `patron segments update`.
    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace a segment's condition and backfill its members now."
        )

        @OptionGroup var store: DatabaseOptions

        @Option(help: "The segment's name.")
        var name: String

        @Option(help: "The new condition: a JSON file, or the JSON itself.")
        var definition: String

        @Option(help: "Output format: table, json or csv.")
        var format: OutputFormat = .table

        func run() async throws {
            let condition = try SegmentDefinitionText.condition(definition)
            let database = try store.open()
            _ = try await database.updateSegment(name: name, condition: condition)
            try SegmentsCommand.printChanges([name: try await database.backfillSegment(named: name)], format: format)
        }
    }

    /// `patron segments list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List segments with their member counts.")

        @OptionGroup var store: DatabaseOptions

        @Option(help: "Output format: table, json or csv.")
        var format: OutputFormat = .table

        func run() async throws {
            let database = try store.open()
            let counts = try await database.segmentMemberCounts()
            let summaries = try await database.segmentDefinitions().map {
                SegmentOverview($0, members: counts[$0.id] ?? 0)
            }
            try SegmentsCommand.print(summaries, format: format)
        }
    }

    /// `patron segments show`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one segment: its condition and member count.")

        @OptionGroup var store: DatabaseOptions

        @Option(help: "The segment's name.")
        var name: String

        @Option(help: "Output format: table, json or csv.")
        var format: OutputFormat = .table

        func run() async throws {
            let database = try store.open()
            let definition = try await database.segmentDefinition(named: name)
            let members = try await database.segmentMemberCounts()[definition.id] ?? 0
            let summary = SegmentOverview(definition, members: members)
            guard format == .table else { return try SegmentsCommand.print([summary], format: format) }
            Swift.print(
                """
                segment     \(summary.name) (id \(definition.id))
                members     \(TableText.count(Double(members)))
                created     \(SegmentTimestamp.format(summary.createdAt))
                updated     \(SegmentTimestamp.format(summary.updatedAt))
                condition   \(summary.condition.jsonText)
                """
            )
        }
    }

    /// `patron segments preview`.
    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Count the customers a condition selects now, without storing anything."
        )

        @OptionGroup var store: DatabaseOptions

        @Option(help: "A condition to count: a JSON file, or the JSON itself.")
        var definition: String?

        @Option(help: "Count the condition of this stored segment instead.")
        var name: String?

        @Option(help: "Output format: table, json or csv.")
        var format: OutputFormat = .table

        func validate() throws {
            guard (definition == nil) != (name == nil) else {
                throw ValidationError("give either --definition or --name")
            }
        }

        func run() async throws {
            let database = try store.open()
            let condition =
                if let definition { try SegmentDefinitionText.condition(definition) } else {
                    try await database.segmentDefinition(named: name!).condition
                }
            let count = try await database.previewCount(of: condition)
            switch format {
            case .json: Swift.print(try EncodedJSON.text(["customers": count]))
            case .csv: Swift.print(TableText.csv(headers: ["customers"], rows: [[String(count)]]))
            case .table: Swift.print("\(TableText.count(Double(count))) customers")
            }
        }
    }

    /// `patron segments backfill`.
    struct Backfill: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate segments over every customer now and record who entered and who exited.",
            discussion: """
                With --name, one segment through its compiled SQL; without, every segment in memory, \
                reading each customer's data once for all of them. Without patron serve, run it with \
                --since on a schedule so that customers leave a segment when a time window passes.
                """
        )

        @OptionGroup var store: DatabaseOptions

        @Option(help: "Only this segment (default: all, segments others refer to first).")
        var name: String?

        @Option(
            help: ArgumentHelp(
                "Only what the passing of time changed in this past duration (like 1m or 1h).",
                discussion: """
                    Re-evaluates every segment for the customers alone whose event or trait times crossed \
                    a window's edge in that time (an event leaving "in the last 30 days", a future-dated \
                    event's time arriving): run it that often. New events and scores must have been \
                    evaluated when processed (patron serve does both, and refreshes by itself).
                    """
            ),
            transform: { text in
                guard let duration = SegmentDuration(text) else {
                    throw ValidationError("expected a duration like 30s, 1m, 1h or 1d")
                }
                return duration
            }
        )
        var since: SegmentDuration?

        @Option(help: "Output format: table, json or csv.")
        var format: OutputFormat = .table

        func validate() throws {
            guard since == nil || name == nil else {
                throw ValidationError("--since refreshes every segment; leave out --name")
            }
        }

        func run() async throws {
            let database = try store.open()
            let changes =
                if let name {
                    [name: try await database.backfillSegment(named: name)]
                } else if let window = since {
                    try await database.refreshSegments(
                        passedSince: Date().addingTimeInterval(-Double(window.milliseconds) / 1000)
                    )
                } else {
                    try await database.refreshEverySegment()
                }
            try SegmentsCommand.printChanges(changes, format: format)
        }
    }

    /// `patron segments export`.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the current members of a segment (customer ids, from the last backfill)."
        )

        @OptionGroup var store: DatabaseOptions

        @Option(help: "The segment's name.")
        var name: String

        @Option(help: "Write to this file instead of standard output.")
        var output: String?

        @Option(help: "Output format: csv (default), json or table.")
        var format: OutputFormat = .csv

        func run() async throws {
            let members = try await store.open().segmentMembers(named: name)
            let text =
                switch format {
                case .json:
                    try EncodedJSON.text([
                        "segment": .string(name), "customerIds": JSONValue.array(members.map { .number(Double($0)) }),
                    ])
                case .csv: TableText.csv(headers: ["customer_id"], rows: members.map { [String($0)] })
                case .table: TableText.render(headers: ["customer_id"], rows: members.map { [String($0)] })
                }
            guard let output else { return Swift.print(text) }
            do {
                try (text + "\n").write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw InputError(file: output, "cannot write: \(error.localizedDescription)")
            }
            FileHandle.standardError.write(Data("\(members.count) members of '\(name)' written to \(output)\n".utf8))
        }
    }

    static func validate(name: String) throws {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 200 else {
            throw ValidationError("--name must be 1 to 200 characters")
        }
    }

    static func print(_ summaries: [SegmentOverview], format: OutputFormat) throws {
        let headers = ["name", "members", "updated", "condition"]
        let rows = summaries.map {
            [$0.name, String($0.members), SegmentTimestamp.format($0.updatedAt), $0.condition.jsonText]
        }
        switch format {
        case .json: Swift.print(try EncodedJSON.text(summaries))
        case .csv: Swift.print(TableText.csv(headers: headers, rows: rows))
        case .table: Swift.print(TableText.render(headers: headers, rows: rows))
        }
    }

    static func printChanges(_ changes: [String: SegmentMembershipChange], format: OutputFormat) throws {
        let names = changes.keys.sorted()
        let headers = ["segment", "entered", "exited", "members"]
        let rows = names.map { name in
            let change = changes[name]!
            return [name, String(change.entered.count), String(change.exited.count), String(change.members)]
        }
        switch format {
        case .json: Swift.print(try EncodedJSON.text(changes))
        case .csv: Swift.print(TableText.csv(headers: headers, rows: rows))
        case .table:
            Swift.print(rows.isEmpty ? "saved; members not computed" : TableText.render(headers: headers, rows: rows))
        }
    }
}
