import Foundation
import Testing

/// `patron import`, `patron quarantine` and `patron identity` run as a user would, on real files.
struct ImportCommandTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("patron-import-\(UUID().uuidString)")
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

    @Test func quarantineListAndReplay() throws {
        let list = try EndToEndTests.run(["quarantine", "list", "--database", database, "--format", "json"])
        #expect(list.status == 0)
        #expect((try JSONSerialization.jsonObject(with: Data(list.standardOutput.utf8)) as? [Any])?.isEmpty == true)
        let replay = try EndToEndTests.run(["quarantine", "replay", "--database", database])
        #expect(replay.status != 0, "replay needs --id or --all")
        #expect(replay.standardError.contains("--all"))
    }
}
