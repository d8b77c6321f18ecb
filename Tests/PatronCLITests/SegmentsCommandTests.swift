import Foundation
import PatronTestSupport
import Testing

/// `patron segments …` run as a user would, on customers imported from a CRM file.
struct SegmentsCommandTests {
    let directory = TemporaryFiles.directory.appendingPathComponent(
        "patron-segments-\(UUID().uuidString)"
    )
    var database: String { directory.appendingPathComponent("patron.sqlite").path }

    init() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let crm = directory.appendingPathComponent("crm.csv")
        try "customer_id,plan,region\nc1,pro,north\nc2,free,south\nc3,pro,west\n".write(
            to: crm,
            atomically: true,
            encoding: .utf8
        )
        let imported = try EndToEndTests.run(["import", "customers", crm.path, "--database", database])
        #expect(imported.status == 0, "\(imported.standardError)")
    }

    func run(_ arguments: String...) throws -> EndToEndTests.Output {
        try EndToEndTests.run(["segments"] + arguments + ["--database", database])
    }

    @Test func createBackfillsAndExportWritesTheMembers() throws {
        let created = try run("create", "--name", "Pro", "--definition", #"{"trait":"plan","op":"eq","value":"pro"}"#)
        #expect(created.status == 0, "\(created.standardError)")
        #expect(created.standardOutput.contains("Pro            2       0        2"))
        let file = directory.appendingPathComponent("not-pro.json")
        try #"{"all":[{"not":{"segment":"Pro"}},{"trait":"region","op":"exists"}]}"#.write(
            to: file,
            atomically: true,
            encoding: .utf8
        )
        #expect(try run("create", "--name", "Others", "--definition", file.path).status == 0)

        let list = try run("list", "--format", "csv")
        #expect(list.status == 0)
        let lines = list.standardOutput.split(separator: "\n")
        #expect(lines.first == "name,members,updated,condition")
        #expect(
            lines.dropFirst().map { $0.split(separator: ",").prefix(2).joined(separator: ",") } == [
                "Others,1", "Pro,2",
            ]
        )

        let export = try run("export", "--name", "Pro")
        #expect(export.status == 0)
        let ids = export.standardOutput.split(separator: "\n")
        #expect(ids.first == "customer_id")
        #expect(ids.count == 3)
        let output = directory.appendingPathComponent("pro.csv").path
        #expect(try run("export", "--name", "Pro", "--output", output).status == 0)
        #expect(try String(contentsOfFile: output, encoding: .utf8) == export.standardOutput)

        let show = try run("show", "--name", "Others", "--format", "json")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(show.standardOutput.utf8)) as? [[String: Any]]
        )
        #expect(json.first?["members"] as? Int == 1)
        #expect((json.first?["condition"] as? [String: Any])?["all"] != nil)
    }

    @Test func previewCountsAndBackfillReportsChanges() throws {
        let preview = try run(
            "preview",
            "--definition",
            #"{"trait":"region","op":"in","value":["north","south"]}"#,
            "--format",
            "json"
        )
        #expect(preview.status == 0, "\(preview.standardError)")
        let counted = try JSONSerialization.jsonObject(with: Data(preview.standardOutput.utf8)) as? [String: Int]
        #expect(counted == ["customers": 2])
        #expect(
            try run(
                "create",
                "--name",
                "North",
                "--definition",
                #"{"trait":"region","op":"eq","value":"north"}"#,
                "--no-backfill"
            ).status == 0
        )
        #expect(try run("preview", "--name", "North").standardOutput.contains("1 customers"))
        let backfill = try run("backfill", "--format", "csv")
        #expect(backfill.standardOutput.contains("North,1,0,1"))
        let update = try run(
            "update",
            "--name",
            "North",
            "--definition",
            #"{"trait":"region","op":"ne","value":"north"}"#,
            "--format",
            "csv"
        )
        #expect(update.standardOutput.contains("North,2,1,2"))
    }

    /// `backfill --since` re-evaluates only the customers whose times crossed an edge in that time:
    /// a renewal date 30 s ago enters "renewal due", one ten days ago waits for a full backfill.
    @Test func backfillSinceMovesOnlyWhatTimeChangedThen() throws {
        let now = Date()
        let renewals = directory.appendingPathComponent("renewals.csv")
        let format = ISO8601DateFormatter()
        try """
        customer_id,renews_at
        c1,\(format.string(from: now.addingTimeInterval(-30)))
        c2,\(format.string(from: now.addingTimeInterval(-10 * 86_400)))
        c3,\(format.string(from: now.addingTimeInterval(86_400)))

        """.write(to: renewals, atomically: true, encoding: .utf8)
        let imported = try EndToEndTests.run(["import", "customers", renewals.path, "--database", database])
        #expect(imported.status == 0, "\(imported.standardError)")
        let due = #"{"trait":"renews_at","op":"le","value":"now"}"#
        #expect(try run("create", "--name", "Due", "--definition", due, "--no-backfill").status == 0)
        let refreshed = try run("backfill", "--since", "1m", "--format", "csv")
        #expect(refreshed.status == 0, "\(refreshed.standardError)")
        #expect(refreshed.standardOutput.contains("Due,1,0,1"))
        #expect(try run("backfill", "--format", "csv").standardOutput.contains("Due,1,0,2"))

        let bad = try run("backfill", "--since", "3 months")
        #expect(bad.status != 0)
        #expect(
            bad.standardError.contains(
                "The value '3 months' is invalid for '--since <since>': expected a duration like 30s, 1m, 1h or 1d"
            )
        )
        let both = try run("backfill", "--since", "1m", "--name", "Due")
        #expect(both.status != 0)
        #expect(both.standardError.contains("leave out --name"))
    }

    @Test func badInputExitsNonZeroWithTheJSONPath() throws {
        let unknown = try run(
            "create",
            "--name",
            "Bad",
            "--definition",
            #"{"all":[{"trait":"plan","op":"equals","value":"pro"}]}"#
        )
        #expect(unknown.status != 0)
        #expect(unknown.standardError.contains("--definition: all[0].op: unknown operator 'equals'; use eq, ne"))
        let file = directory.appendingPathComponent("bad.json")
        try #"{"event":"Order Completed","inLast":"3 months"}"#.write(to: file, atomically: true, encoding: .utf8)
        let fromFile = try run("create", "--name", "Bad", "--definition", file.path)
        #expect(fromFile.status != 0)
        #expect(fromFile.standardError.contains("\(file.path): inLast: invalid duration '3 months'"))
        let missing = try run("create", "--name", "Bad", "--definition", "/nonexistent.json")
        #expect(missing.standardError.contains("/nonexistent.json: file not found"))
        let noSegment = try run("export", "--name", "Nope")
        #expect(noSegment.status != 0)
        #expect(noSegment.standardError.contains("no segment named 'Nope'"))
        let both = try run("preview")
        #expect(both.status != 0)
        #expect(both.standardError.contains("give either --definition or --name"))
        #expect(try run("list", "--help").standardOutput.contains("--format"))
    }
}

/// `patron triggers create|list` for the three kinds, and its refusals.
struct TriggersCommandTests {
    @Test func eachKindIsCreatedAndListedAndMisuseIsExplained() throws {
        let directory = TemporaryFiles.directory.appendingPathComponent("patron-triggers-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = directory.appendingPathComponent("patron.sqlite").path
        func patron(_ arguments: String...) throws -> EndToEndTests.Output {
            try EndToEndTests.run(arguments + ["--database", database])
        }
        #expect(try patron("destinations", "create", "--name", "crm", "--url", "https://crm.example.org/h").status == 0)
        #expect(try patron("segments", "create", "--name", "pro", "--definition", #"{"segment": "pro"}"#).status != 0)
        #expect(
            try patron(
                "segments",
                "create",
                "--name",
                "pro",
                "--definition",
                #"{"trait":"plan","op":"eq","value":"pro"}"#
            )
            .status == 0
        )
        let segment = try patron(
            "triggers",
            "create",
            "--name",
            "welcome",
            "--on",
            "segment.entered",
            "--segment",
            "pro",
            "--destination",
            "crm"
        )
        #expect(segment.status == 0, "\(segment.standardError)")
        let event = try patron(
            "triggers",
            "create",
            "--name",
            "cart",
            "--on",
            "event.matched",
            "--event",
            "Cart Abandoned",
            "--filter",
            #"{"properties": [{"property": "value", "op": "gt", "value": 50}]}"#,
            "--destination",
            "crm"
        )
        #expect(event.status == 0, "\(event.standardError)")
        let score = try patron(
            "triggers",
            "create",
            "--name",
            "risk",
            "--on",
            "score.changed",
            "--condition",
            #"{"score": "probabilityAlive", "op": "lt", "value": 0.5}"#,
            "--destination",
            "crm"
        )
        #expect(score.status == 0, "\(score.standardError)")
        let list = try patron("triggers", "list", "--format", "csv")
        #expect(list.standardOutput.contains("cart,event.matched,Cart Abandoned"))
        #expect(list.standardOutput.contains("risk,score.changed,score:risk"))
        #expect(list.standardOutput.contains("welcome,segment.entered,pro"))

        let mixed = try patron(
            "triggers",
            "create",
            "--name",
            "x",
            "--on",
            "event.matched",
            "--segment",
            "pro",
            "--destination",
            "crm"
        )
        #expect(mixed.status != 0 && mixed.standardError.contains("--segment does not go with --on event.matched"))
        let badFilter = try patron(
            "triggers",
            "create",
            "--name",
            "x",
            "--on",
            "event.matched",
            "--event",
            "E",
            "--filter",
            #"{"properties": [{"property": "v", "op": "between", "value": 1}]}"#,
            "--destination",
            "crm"
        )
        #expect(badFilter.status != 0 && badFilter.standardError.contains("properties[0].value"))
        let noScore = try patron(
            "triggers",
            "create",
            "--name",
            "x",
            "--on",
            "score.changed",
            "--condition",
            #"{"trait": "plan", "op": "exists"}"#,
            "--destination",
            "crm"
        )
        #expect(noScore.status != 0 && noScore.standardError.contains("must read a score field"))
    }
}
