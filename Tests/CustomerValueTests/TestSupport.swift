import CustomerValue
import Foundation
import Testing

/// Checks |observed − expected| ≤ tolerance · max(|expected|, tiny), reporting at the caller.
func expectClose(
    _ observed: Double,
    _ expected: Double,
    relativeTolerance: Double,
    _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let error = abs(observed - expected) / max(abs(expected), 1e-300)
    #expect(
        error <= relativeTolerance,
        "\(observed) vs \(expected): relative error \(error) > \(relativeTolerance). \(comment?.description ?? "")",
        sourceLocation: sourceLocation
    )
}

/// Checks |observed − expected| ≤ tolerance.
func expectClose(
    _ observed: Double,
    _ expected: Double,
    absoluteTolerance: Double,
    _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(
        abs(observed - expected) <= absoluteTolerance,
        "\(observed) vs \(expected): absolute error \(abs(observed - expected)) > \(absoluteTolerance). \(comment?.description ?? "")",
        sourceLocation: sourceLocation
    )
}

enum Fixtures {
    static func url(_ name: String) throws -> URL {
        try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"))
    }

    static func lines(_ name: String) throws -> [Substring] {
        let text = try String(contentsOf: url(name), encoding: .utf8)
        return text.split(whereSeparator: \.isNewline)
    }

    /// CDNOW calibration summary `ID,x,t_x,T,zbar` (weeks), in file order.
    static func cdnow() throws -> [(id: String, history: PurchaseHistory, meanSpend: Double)] {
        try lines("cdnow_customers_summary_with_transactions.csv").dropFirst().map { line in
            let fields = line.split(separator: ",")
            return (
                String(fields[0]),
                PurchaseHistory(frequency: Int(fields[1])!, recency: Double(fields[2])!, age: Double(fields[3])!),
                Double(fields[4])!
            )
        }
    }

    static func cdnowHistories() throws -> CompressedHistories {
        CompressedHistories(try cdnow().map(\.history))
    }

    static func json<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: url(name)))
    }
}
