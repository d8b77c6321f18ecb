import Foundation
import PatronTestSupport
import Testing

/// `patron import`, `patron quarantine` and `patron identity` run as a user would, on real files.
struct ImportCommandTests {
    let directory: URL

    init() throws {
        directory = TemporaryFiles.directory.appendingPathComponent("patron-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    var database: String { directory.appendingPathComponent("store.sqlite").path }

    func summary(_ output: EndToEndTests.Output) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any])
    }

    @Test func transactionsImportReportsRejectedRowsAndIsIdempotent() throws {
        let file = try write(
            "orders.csv",
            """
            client,day,total,order_id
            c1,02/01/2026,10.5,o1
            c1,05/01/2026,20,
            c2,30/02/2026,5,o3
            ,01/01/2026,1,o4
            c3,01/01/2026,abc,o5
            "c4",03/01/2026,7,o7

            """
        )
        let arguments = [
            "import", "transactions", file, "--database", database, "--customer-column", "client", "--date-column",
            "day",
            "--amount-column", "total", "--date-format", "%d/%m/%Y", "--format", "json",
        ]
        let first = try EndToEndTests.run(arguments)
        #expect(first.status == 0)
        let counts = try summary(first)
        #expect(counts["rows"] as? Int == 6)
        #expect(counts["rejected"] as? Int == 3)
        #expect((counts["outcome"] as? [String: Any])?["imported"] as? Int == 3)
        #expect(first.standardError.contains("orders.csv:4: column 'day'"))
        #expect(first.standardError.contains("orders.csv:5: column 'client'"))
        #expect(first.standardError.contains("orders.csv:6: column 'total': rejected: 'abc' is not a number"))
        let second = try EndToEndTests.run(arguments)
        let again = try summary(second)
        #expect((again["outcome"] as? [String: Any])?["imported"] as? Int == 0, "re-importing adds nothing")
        #expect((again["outcome"] as? [String: Any])?["alreadyPresent"] as? Int == 3)
    }

    @Test func anImportThatRebuildsTheIndexIsIdempotent() throws {
        let file = try write(
            "orders.csv",
            "customer_id,date,amount,order_id\nc1,2026-01-02,10,o1\nc1,2026-01-03,5,o2\n"
        )
        let arguments = [
            "import", "transactions", file, "--database", database, "--rebuild-index", "always", "--format", "json",
        ]
        let first = try EndToEndTests.run(arguments)
        #expect(first.status == 0)
        #expect((try summary(first)["outcome"] as? [String: Any])?["imported"] as? Int == 2)
        let second = try EndToEndTests.run(arguments)
        let again = try #require(try summary(second)["outcome"] as? [String: Any])
        #expect(again["alreadyPresent"] as? Int == 2)
        #expect(again["imported"] as? Int == 0)
    }

    @Test func aMissingColumnIsAnErrorNamingFileLineAndColumn() throws {
        let file = try write("bad.csv", "customer_id,date\nc1,2026-01-01\n")
        let output = try EndToEndTests.run(["import", "transactions", file, "--database", database])
        #expect(output.status != 0)
        #expect(output.standardError.contains("bad.csv:1: column 'amount': no such column"))
        let empty = try EndToEndTests.run([
            "import", "transactions", try write("empty.csv", ""), "--database", database,
        ])
        #expect(empty.status != 0)
        #expect(empty.standardError.contains("empty"))
    }

    @Test func customersImportMapsCRMColumnsToIdsAndTraits() throws {
        let file = try write(
            "crm.csv",
            """
            crm_id,email,plan,city
            k1,Ann@Example.com,pro,Oslo
            k2,,free,
            guest,x@y.z,pro,Rome

            """
        )
        let arguments = [
            "import", "customers", file, "--database", database, "--id-kind", "external:crm", "--id-column", "crm_id",
            "--format", "json",
        ]
        let first = try EndToEndTests.run(arguments)
        #expect(first.status == 0)
        #expect((try summary(first)["outcome"] as? [String: Any])?["customersCreated"] as? Int == 2)
        #expect(first.standardError.contains("crm.csv:4: column 'crm_id'"))
        let again = try EndToEndTests.run(arguments)
        #expect((try summary(again)["outcome"] as? [String: Any])?["imported"] as? Int == 0)
        let explained = try EndToEndTests.run([
            "identity", "explain", "ann@example.com", "--database", database, "--format", "json",
        ])
        #expect(explained.status == 0)
        let customer = try #require(
            (try JSONSerialization.jsonObject(with: Data(explained.standardOutput.utf8)) as? [String: Any])?["customer"]
                as? [String: Any]
        )
        #expect((customer["traits"] as? [String: Any])?["plan"] as? String == "pro")
        #expect((customer["identifiers"] as? [[String: Any]])?.count == 2)
    }

    /// A customer import that changes traits re-evaluates the segments at once: the customers it
    /// moves enter a trait segment (and its triggers would fire) without waiting for a server's
    /// refresh; `--no-segments` leaves them for later.
    @Test func customersImportReevaluatesSegments() throws {
        let created = try EndToEndTests.run([
            "segments", "create", "--name", "pro", "--definition", #"{"trait": "plan", "op": "eq", "value": "pro"}"#,
            "--database", database,
        ])
        #expect(created.status == 0, "\(created.standardError)")
        let file = try write("crm.csv", "crm_id,plan\nk1,pro\nk2,free\nk3,pro\n")
        let imported = try EndToEndTests.run([
            "import", "customers", file, "--database", database, "--id-kind", "external:crm", "--id-column", "crm_id",
            "--format", "json",
        ])
        #expect(imported.status == 0, "\(imported.standardError)")
        #expect(try summary(imported)["segmentChanges"] as? Int == 2)
        let members = try EndToEndTests.run(["segments", "export", "--name", "pro", "--database", database])
        #expect(
            members.standardOutput.split(separator: "\n").count == 3,
            "a header and two members: \(members.standardOutput)"
        )

        let later = try write("later.csv", "crm_id,plan\nk2,pro\n")
        let skipped = try EndToEndTests.run([
            "import", "customers", later, "--database", database, "--id-kind", "external:crm", "--id-column", "crm_id",
            "--no-segments", "--format", "json",
        ])
        #expect(skipped.status == 0)
        #expect(try summary(skipped)["segmentChanges"] == nil)
        let unchanged = try EndToEndTests.run(["segments", "export", "--name", "pro", "--database", database])
        #expect(unchanged.standardOutput.split(separator: "\n").count == 3)
    }

    /// Customers known only from CSV get their acquisition channel from the CRM, so ROI and the
    /// drivers report count them; a bad acquisition date is rejected with its line.
    @Test func customersImportSetsTheAcquisitionChannel() throws {
        let orders = try write(
            "orders.csv",
            """
            customer_id,date,amount,order_id
            c1,2025-03-02,10,o1
            c2,2025-01-05,20,o2
            c3,2025-01-07,30,o3

            """
        )
        #expect(try EndToEndTests.run(["import", "transactions", orders, "--database", database]).status == 0)
        let crm = try write(
            "crm.csv",
            """
            customer_id,source,since,region
            c1,Email,,north
            c2,paid search,2024-12-20,south
            c3,,,north
            c4,email,20/12/2024,west

            """
        )
        let arguments = [
            "import", "customers", crm, "--database", database, "--channel-column", "source", "--acquired-column",
            "since", "--format", "json",
        ]
        let first = try EndToEndTests.run(arguments)
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardError.contains("crm.csv:5: column 'since'"))
        let again = try EndToEndTests.run(arguments)
        #expect((try summary(again)["outcome"] as? [String: Any])?["imported"] as? Int == 0)
        let roi = try EndToEndTests.run(["report", "roi", "--database", database, "--by-month", "--format", "csv"])
        #expect(roi.status == 0, "\(roi.standardError)")
        // c1 without a date is acquired at its first purchase (March), c2 on its CRM date; c3 has no channel.
        #expect(roi.standardOutput.contains("email,2025-03,0,1,"))
        #expect(roi.standardOutput.contains("paid search,2024-12,0,1,"))
        #expect(!roi.standardOutput.contains("direct"))
        let traits = try EndToEndTests.run([
            "identity", "explain", "c2", "--database", database, "--format", "json",
        ])
        let customer = try #require(try summary(traits)["customer"] as? [String: Any])
        // The acquisition columns are not also traits.
        #expect((customer["traits"] as? [String: Any])?.keys.sorted() == ["region"])
        #expect((customer["acquisition"] as? [String: Any])?["channel"] as? String == "paid search")
        // Consent from a CRM column, shown by `patron consent show`; a bad value is rejected with its line.
        let consentFile = try write(
            "consent.csv",
            """
            customer_id,email_opt_in
            c1,yes
            c2,no
            c3,maybe

            """
        )
        let consentImport = try EndToEndTests.run([
            "import", "customers", consentFile, "--database", database, "--consent", "email=email_opt_in",
        ])
        #expect(consentImport.status == 0, "\(consentImport.standardError)")
        #expect(consentImport.standardError.contains("consent.csv:4: column 'email_opt_in'"))
        let shown = try EndToEndTests.run(["consent", "show", "c2", "--database", database, "--format", "csv"])
        #expect(shown.standardOutput.contains("email,false,import,"))
        let set = try EndToEndTests.run([
            "consent", "set", "c2", "--purpose", "email", "--granted", "true", "--database", database,
        ])
        #expect(set.status == 0)
        let changed = try EndToEndTests.run(["consent", "show", "c2", "--database", database, "--format", "csv"])
        #expect(changed.standardOutput.contains("email,true,api,"))
        let missing = try EndToEndTests.run([
            "import", "customers", crm, "--database", database, "--acquired-column", "since",
        ])
        #expect(missing.status != 0)
        #expect(missing.standardError.contains("need --channel-column"))
    }

    @Test func quarantineListAndReplay() throws {
        let list = try EndToEndTests.run(["quarantine", "list", "--database", database, "--format", "json"])
        #expect(list.status == 0)
        #expect((try JSONSerialization.jsonObject(with: Data(list.standardOutput.utf8)) as? [Any])?.isEmpty == true)
        let replay = try EndToEndTests.run(["quarantine", "replay", "--database", database])
        #expect(replay.status != 0, "replay needs --id or --all")
        #expect(replay.standardError.contains("--all"))
    }
}
