import ArgumentParser
import CustomerValue
import Foundation
import PatronTestSupport
import Testing

@testable import PatronCLI

/// Every malformed input gets a message naming the file, line and column.
struct InputErrorTests {
    func write(_ text: String, name: String = "input.csv") throws -> String {
        let directory = TemporaryFiles.directory.appendingPathComponent(
            "patron-cli-tests-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// The message of the error loading `text` as a summary (or, with `flag: "--transactions"`, a log).
    func loadError(_ text: String, flag: String = "--summary", extra: [String] = []) throws -> String {
        let path = try write(text)
        let options = try InputOptions.parse([flag, path] + extra)
        do {
            _ = try CustomerTable.load(options)
        } catch {
            return error.description.replacingOccurrences(of: path, with: "FILE")
        }
        Issue.record("no error for \(text)")
        return ""
    }

    func summaryError(_ text: String, extra: [String] = []) throws -> String {
        try loadError(text, extra: extra)
    }

    func transactionsError(_ text: String) throws -> String {
        try loadError(text, flag: "--transactions")
    }

    /// The scheduled refreshes of `serve`: a duration or `never`, and a message naming the option.
    @Test func refreshSchedulesParseOrNameTheOption() throws {
        let hourly = try ServeCommand.parse(["--segment-full-refresh-every", "2h", "--segment-refresh-every", "30s"])
        #expect(try hourly.segmentFullRefreshInterval == .seconds(7200))
        #expect(try hourly.segmentRefreshInterval == .seconds(30))
        #expect(try ServeCommand.parse(["--segment-full-refresh-every", "never"]).segmentFullRefreshInterval == nil)
        do {
            _ = try ServeCommand.parse(["--segment-full-refresh-every", "soon"])
            Issue.record("no error for --segment-full-refresh-every soon")
        } catch {
            #expect(
                ServeCommand.message(for: error)
                    == "--segment-full-refresh-every must be a positive duration like 30s, 1m or 1h, or never, got 'soon'"
            )
        }
    }

    @Test func missingColumnListsTheHeader() throws {
        let message = try summaryError("id,frequency,T\n1,2,30\n")
        #expect(message.contains("FILE:1"))
        #expect(message.contains("missing the recency column"))
        #expect(message.contains("the header has: id, frequency, T"))
    }

    @Test func recencyGreaterThanTNamesTheLine() throws {
        let message = try summaryError("id,frequency,recency,T\n1,2,10,30\n2,1,31,30\n")
        #expect(message == "FILE:3: recency 31.0 is greater than T 30.0")
    }

    @Test func negativeValueNamesLineAndColumn() throws {
        let message = try summaryError("id,frequency,recency,T\n1,-2,10,30\n")
        #expect(message == "FILE:2: column 'frequency': must be ≥ 0, got -2.0")
    }

    @Test func nonNumberNamesLineAndColumn() throws {
        let message = try summaryError("id,frequency,recency,T\n1,2,ten,30\n")
        #expect(message == "FILE:2: column 'recency': 'ten' is not a number")
    }

    @Test func raggedRowIsReported() throws {
        let message = try summaryError("id,frequency,recency,T\n1,2,3\n")
        #expect(message.contains("FILE:2: column 'T': the row has 3 fields but the header has 4"))
    }

    @Test func emptyAndHeaderOnlyFiles() throws {
        #expect(try summaryError("") == "FILE: the file is empty")
        #expect(try summaryError("id,frequency,recency,T\n") == "FILE: the file has a header but no customers")
    }

    @Test func missingFile() throws {
        let options = try InputOptions.parse(["--summary", "/nonexistent/patron.csv"])
        #expect(throws: InputError.self) { try CustomerTable.load(options) }
    }

    @Test func badDateNamesLineAndColumn() throws {
        let message = try transactionsError("customer_id,date,amount\na,2024-01-05,10\nb,05/01/2024,3\n")
        #expect(
            message == "FILE:3: column 'date': '05/01/2024' is not a date in the format %Y-%m-%d (set --date-format)"
        )
        let impossible = try transactionsError("customer_id,date,amount\na,2023-02-29,10\n")
        #expect(impossible.contains("FILE:2: column 'date'"))
    }

    @Test func mappingFlagsAndDateFormatsWork() throws {
        let path = try write("who,when,paid\na,05/01/2024,10\na,12/01/2024,20\nb,06/01/2024,5\n")
        let options = try InputOptions.parse([
            "--transactions", path, "--customer-column", "who", "--date-column", "when", "--amount-column", "paid",
            "--date-format", "%d/%m/%Y", "--time-unit", "days",
        ])
        let table = try CustomerTable.load(options)
        #expect(table.ids == ["a", "b"])
        #expect(table.histories[0].frequency == 1)
        #expect(table.histories[0].recency == 7)
        #expect(table.histories[0].age == 7)
        #expect(table.meanSpends == [20, 0])
    }

    @Test func unknownMappedColumnIsNamed() throws {
        let message = try summaryError("id,frequency,recency,T\n1,2,10,30\n", extra: ["--recency-column", "rec"])
        #expect(message.contains("no column 'rec' for recency"))
    }

    @Test func quotedFieldsAndCRLFAreRead() throws {
        let path = try write("id,frequency,recency,T\r\n\"cust, 1\",2,10,30\r\n")
        let table = try CustomerTable.load(try InputOptions.parse(["--summary", path]))
        #expect(table.ids == ["cust, 1"])
    }

    @Test func unknownModelAndMissingDataAreRejectedByTheParser() {
        #expect(throws: (any Error).self) {
            try PatronCommand.parseAsRoot(["fit", "--model", "xyz", "--summary", "a.csv"])
        }
        // Without a file, `fit` fits on the store, which holds only repeat-purchase models.
        #expect(throws: (any Error).self) { try PatronCommand.parseAsRoot(["fit", "--model", "gg"]) }
        #expect(throws: (any Error).self) { try PatronCommand.parseAsRoot(["fit", "--summary", "a.csv"]) }
        #expect(throws: Never.self) { try PatronCommand.parseAsRoot(["fit", "--model", "bgnbd"]) }
        #expect(throws: (any Error).self) {
            try PatronCommand.parseAsRoot(["predict", "--model", "gg", "--summary", "a.csv", "--horizon", "52"])
        }
        #expect(throws: (any Error).self) {
            try PatronCommand.parseAsRoot(["predict", "--model", "bgnbd", "--summary", "a.csv", "--horizon", "-3"])
        }
    }

    @Test func horizonsConvertBetweenUnits() throws {
        let year = try #require(Horizon(argument: "1y"))
        #expect(abs(year.length(in: .weeks) - 365.25 / 7) < 1e-12)
        #expect(try #require(Horizon(argument: "52")).length(in: .days) == 52)
        #expect(try #require(Horizon(argument: "12m")).length(in: .days) == 365.25)
        #expect(Horizon(argument: "soon") == nil)
    }
}
