import Foundation
import PatronTestSupport
import Testing

/// Runs the built `patron` binary as a user would.
struct EndToEndTests {
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("patron")
    }

    static func fixture(_ name: String) throws -> String {
        try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")).path
    }

    struct Output {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    static func run(_ arguments: [String]) throws -> Output {
        var binary = Self.binary
        if !FileManager.default.fileExists(atPath: binary.path) {
            // `swift test` puts the test runner in the build directory next to the products; fall back to .build/debug.
            binary = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(
                ".build/debug/patron"
            )
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let out = Pipe()
        let error = Pipe()
        process.standardOutput = out
        process.standardError = error
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus,
            standardOutput: String(decoding: outData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self)
        )
    }

    @Test func fitPrintsTheDocumentedJSON() throws {
        let output = try Self.run([
            "fit", "--model", "bgnbd", "--summary", Self.fixture("cdnow_customers_summary_with_transactions.csv"),
            "--format", "json",
        ])
        #expect(output.status == 0)
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
        )
        for key in [
            "model", "timeUnit", "customers", "parameters", "standardErrors", "logLikelihood", "iterations",
            "converged", "fitSeconds",
        ] {
            #expect(json[key] != nil, "missing \(key)")
        }
        let parameters = try #require(json["parameters"] as? [String: Double])
        #expect(Set(parameters.keys) == ["r", "alpha", "a", "b"])
        #expect(abs(parameters["r"]! - 0.2426) < 1e-3)
        #expect(json["converged"] as? Bool == true)
        #expect(json["customers"] as? Int == 2357)
    }

    @Test func predictWritesOneRowPerCustomer() throws {
        let file = TemporaryFiles.directory.appendingPathComponent(
            "patron-predict-\(UUID().uuidString).csv"
        ).path
        let output = try Self.run([
            "predict", "--model", "pnbd", "--summary", Self.fixture("cdnow_customers_summary_with_transactions.csv"),
            "--horizon", "52w", "--output", file,
        ])
        #expect(output.status == 0, "\(output.standardError)")
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2358)
        #expect(lines[0] == "customer_id,frequency,recency,T,p_alive,expected_purchases,expected_spend,clv")
        #expect(output.standardError.contains("horizon 52 weeks"))
    }

    @Test func badInputExitsNonZeroWithALocatedMessage() throws {
        let file = TemporaryFiles.directory.appendingPathComponent("patron-bad-\(UUID().uuidString).csv")
        try "ID,x,t_x,T\n1,2,40,38.86\n".write(to: file, atomically: true, encoding: .utf8)
        let output = try Self.run(["fit", "--model", "bgnbd", "--summary", file.path])
        #expect(output.status != 0)
        #expect(output.standardError.contains("\(file.path):2: recency 40.0 is greater than T 38.86"))
        let missing = try Self.run(["fit", "--model", "bgnbd", "--summary", "/nonexistent.csv"])
        #expect(missing.status != 0)
        #expect(missing.standardError.contains("/nonexistent.csv: file not found"))
        let unknown = try Self.run(["fit", "--model", "nbd", "--summary", file.path])
        #expect(unknown.status != 0)
        #expect(unknown.standardError.contains("bgnbd"))
    }

    @Test func bgbbAndSBGFitFromTheirData() throws {
        let bgbb = try Self.run([
            "fit", "--model", "bgbb", "--summary", Self.fixture("donations.csv"), "--format", "json",
        ])
        #expect(bgbb.status == 0, "\(bgbb.standardError)")
        #expect(bgbb.standardOutput.contains("\"alpha\": 1.20"))
        let sbg = try Self.run(["fit", "--model", "sbg", "--survivors", "1000,631,468,382,326,289,262,241"])
        #expect(sbg.status == 0, "\(sbg.standardError)")
        #expect(sbg.standardOutput.contains("0.704"))
        let bad = try Self.run(["fit", "--model", "sbg", "--survivors", "1000,1200"])
        #expect(bad.status != 0)
        #expect(bad.standardError.contains("survivors must not increase"))
    }

    @Test func demoPrintsTheReport() throws {
        let output = try Self.run(["demo"])
        #expect(output.status == 0, "\(output.standardError)")
        for heading in [
            "Models fitted", "Holdout accuracy", "most valuable customers", "probably gone", "A simulated business",
            "Value over time", "Return per channel",
        ] {
            #expect(output.standardOutput.contains(heading))
        }
    }
}
