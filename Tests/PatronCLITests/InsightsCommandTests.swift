import Foundation
import PatronTestSupport
import Testing

/// `patron fit` on the store and `patron report`, run as a user would on the CDNOW sample log.
struct InsightsCommandTests {
    let directory: URL

    init() throws {
        directory = TemporaryFiles.directory.appendingPathComponent(
            "patron-insights-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    var database: String { directory.appendingPathComponent("store.sqlite").path }

    /// Imports the CDNOW sample log (one order per line) into the test's store.
    func importCDNOW() throws {
        let lines = try String(contentsOfFile: try EndToEndTests.fixture("CDNOW_sample.txt"), encoding: .utf8)
            .split(whereSeparator: \.isNewline)
        var csv = "customer_id,date,amount,order_id\n"
        for (index, line) in lines.enumerated() {
            let fields = line.split(whereSeparator: \.isWhitespace)
            csv += "\(fields[0]),\(fields[2]),\(fields[4]),line-\(index)\n"
        }
        let file = directory.appendingPathComponent("cdnow.csv")
        try csv.write(to: file, atomically: true, encoding: .utf8)
        let imported = try EndToEndTests.run([
            "import", "transactions", file.path, "--database", database, "--date-format", "%Y%m%d",
        ])
        #expect(imported.status == 0, "\(imported.standardError)")
    }

    func json(_ output: EndToEndTests.Output) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any])
    }

    @Test func fitOnTheStoreThenReport() throws {
        try importCDNOW()
        let top = try EndToEndTests.run([
            "segments", "create", "--name", "top", "--definition",
            #"{"score": "valueDecile", "op": "eq", "value": 10}"#,
            "--database", database,
        ])
        #expect(top.status == 0, "\(top.standardError)")
        let fit = try EndToEndTests.run([
            "fit", "--database", database, "--as-of", "1998-06-30", "--holdout-days", "273", "--format", "json",
        ])
        #expect(fit.status == 0, "\(fit.standardError)")
        let outcome = try json(fit)
        #expect(outcome["customersScored"] as? Int == 2357)
        // The new scores re-evaluated the segments: the top decile entered `top` (about a tenth).
        let entered = try #require(outcome["segmentChanges"] as? Int)
        #expect((200...280).contains(entered))
        let comparison = try #require(outcome["comparison"] as? [String: Any])
        #expect((comparison["candidates"] as? [Any])?.count == 3)
        let table = try EndToEndTests.run(["fit", "--database", database, "--model", "pnbd", "--holdout-days", "0"])
        #expect(table.status == 0)
        #expect(table.standardOutput.contains("pnbd: chosen by the user"))
        #expect(table.standardOutput.contains("Scored 2,357 customers"))

        let value = try EndToEndTests.run(["report", "value", "--database", database, "--format", "json", "--top", "3"])
        #expect(value.status == 0)
        let report = try json(value)
        #expect(report["customers"] as? Int == 2357)
        #expect((report["topCustomers"] as? [Any])?.count == 3)
        let model = try #require(report["model"] as? [String: Any])
        #expect(model["purchaseModel"] as? String == "pnbd")
        #expect((model["conventions"] as? String)?.contains("30.4375 days") == true)
        let deciles = try EndToEndTests.run(["report", "value", "--database", database, "--format", "csv"])
        #expect(deciles.standardOutput.split(separator: "\n").count == 11)  // header + 10 deciles
        let rfm = try EndToEndTests.run(["report", "rfm", "--database", database, "--as-of", "1998-06-30"])
        #expect(rfm.status == 0)
        #expect(rfm.standardOutput.contains("RFM segments of 2,357 customers as of 1998-06-30"))
        #expect(rfm.standardOutput.contains("Champions"))
        let cohorts = try EndToEndTests.run(["report", "cohorts", "--database", database, "--format", "csv"])
        #expect(cohorts.status == 0)
        // CDNOW's customers all first bought in Q1 1997: three cohorts, followed to June 1998.
        #expect(cohorts.standardOutput.contains("1997-01,") && cohorts.standardOutput.contains("1997-03,"))
        #expect(!cohorts.standardOutput.contains("1997-04,"))
        let snapshots = try EndToEndTests.run(["snapshot", "--database", database, "--backfill", "monthly"])
        #expect(snapshots.status == 0, "\(snapshots.standardError)")
        #expect(snapshots.standardOutput.contains("snapshot(s) written"))
        let trend = try EndToEndTests.run(["report", "trend", "--database", database, "--format", "csv"])
        #expect(trend.status == 0)
        let trendLines = trend.standardOutput.split(separator: "\n")
        #expect(trendLines.count >= 17)  // header + most of the 18 month ends of CDNOW
        #expect(
            trendLines.last?.hasPrefix("1998-06-30,2,357,") == true || trendLines.last?.hasPrefix("1998-06-30,") == true
        )
        let models = try EndToEndTests.run([
            "report", "models", "--database", database, "--format", "csv", "--limit", "100",
        ])
        // header + the 2 fits + one version per snapshot (snapshots keep their own model versions)
        #expect(models.standardOutput.split(separator: "\n").count == 3 + trendLines.count - 1)
        #expect(models.standardOutput.contains("chosen by the user"))
    }

    @Test func spendImportAndROIReport() throws {
        let file = directory.appendingPathComponent("spend.csv")
        try """
        date,channel,amount,campaign
        2025-01-15,Paid Search,120,brand
        2025-01-20,email,10,
        2025-13-01,email,5,
        2025-01-21,email,abc,

        """.write(to: file, atomically: true, encoding: .utf8)
        let first = try EndToEndTests.run(["import", "spend", file.path, "--database", database, "--format", "json"])
        #expect(first.status == 0)
        #expect(first.standardError.contains("spend.csv:4: column 'date'"))
        #expect(first.standardError.contains("spend.csv:5: column 'amount'"))
        let outcome = try #require(try json(first)["outcome"] as? [String: Any])
        #expect(outcome["imported"] as? Int == 2)
        let again = try EndToEndTests.run(["import", "spend", file.path, "--database", database, "--format", "json"])
        #expect((try json(again)["outcome"] as? [String: Any])?["alreadyPresent"] as? Int == 2)
        let roi = try EndToEndTests.run(["report", "roi", "--database", database, "--format", "csv"])
        #expect(roi.status == 0)
        #expect(roi.standardOutput.contains("paid search,all,120,0,"))  // spend, no customers acquired yet
    }

    /// `report drivers` on a small simulated business: the channel effects and the region trait
    /// appear as table, CSV and JSON; bad drivers and options are named in the error.
    @Test func driversReport() throws {
        let simulated = try EndToEndTests.run([
            "simulate", "business", "--customers", "600", "--months", "18", "--seed", "4", "--database", database,
        ])
        #expect(simulated.status == 0, "\(simulated.standardError)")
        let base = ["report", "drivers", "--database", database, "--draws", "50", "--model", "pnbd"]
        let table = try EndToEndTests.run(base + ["--driver", "channel", "--driver", "trait:region"])
        #expect(table.status == 0, "\(table.standardError)")
        #expect(table.standardOutput.contains("Likelihood-ratio test against no drivers"))
        #expect(table.standardOutput.contains("Spend per purchase by segment (Gamma-Gamma)"))
        let csv = try EndToEndTests.run(base + ["--format", "csv"])
        let lines = csv.standardOutput.split(separator: "\n")
        #expect(lines.first?.hasPrefix("driver,level,reference,customers,purchase_x") == true)
        #expect(lines.contains { $0.hasPrefix("channel,email,paid search,") })
        #expect(lines.contains { $0.hasPrefix("first-order-value,+1 SD,mean,") })
        let report = try json(try EndToEndTests.run(base + ["--driver", "trait:region", "--format", "json"]))
        #expect(report["model"] as? String == "pnbd")
        #expect((report["effects"] as? [[String: Any]])?.count == 3)  // four regions: three against the largest
        let unknown = try EndToEndTests.run(base + ["--driver", "colour"])
        #expect(unknown.status != 0)
        #expect(unknown.standardError.contains("unknown driver colour"))
        let tooFew = try EndToEndTests.run(base + ["--max-customers", "10"])
        #expect(tooFew.status != 0)
        #expect(tooFew.standardError.contains("--max-customers must be ≥ 100"))
    }

    @Test func clearErrors() throws {
        let empty = try EndToEndTests.run(["report", "value", "--database", database])
        #expect(empty.status != 0)
        #expect(empty.standardError.contains("patron fit"))
        let noData = try EndToEndTests.run(["fit", "--database", database])
        #expect(noData.status != 0)
        #expect(noData.standardError.contains("no transactions"))
        let wrongModel = try EndToEndTests.run(["fit", "--database", database, "--model", "gg"])
        #expect(wrongModel.status != 0)
        #expect(wrongModel.standardError.contains("the store fits bgnbd, mbgnbd or pnbd"))
        let badDate = try EndToEndTests.run(["fit", "--database", database, "--as-of", "30/06/1998"])
        #expect(badDate.status != 0)
        #expect(badDate.standardError.contains("--as-of must be a date YYYY-MM-DD"))
        let badRefit = try EndToEndTests.run(["serve", "--database", database, "--refit-every", "soon"])
        #expect(badRefit.status != 0)
        #expect(badRefit.standardError.contains("--refit-every must be a positive duration"))
    }
}
