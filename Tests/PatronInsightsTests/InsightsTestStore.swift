import CustomerValue
import Foundation
import PatronCore
import PatronStorage
import PatronTestSupport
import Testing

/// A store in a fresh SQLite file, with helpers to load transactions.
struct InsightsTestStore {
    let store: SQLiteStore

    init() throws {
        let path = TemporaryFiles.directory
            .appendingPathComponent("patron-insights-\(UUID().uuidString).sqlite").path
        store = try SQLiteStore(path: path)
    }

    /// The CDNOW sample log (2,357 customers, 1997-01-01 … 1998-06-30) as (customer, day, amount),
    /// one order per line.
    static func cdnowTransactions() throws -> [(customer: String, date: CalendarDate, amount: Double)] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/CDNOW_sample", withExtension: "txt"))
        return try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline).map { line in
            let fields = line.split(whereSeparator: \.isWhitespace)
            let day = Int(fields[2])!
            return (
                String(fields[0]), CalendarDate(year: day / 10000, month: day / 100 % 100, day: day % 100)!,
                Double(fields[4])!
            )
        }
    }

    /// Imports transactions (order ids from their position) as customers keyed by user id.
    func load(_ rows: [(customer: String, date: CalendarDate, amount: Double)]) async throws {
        let imported = rows.enumerated().map { index, row in
            ImportedTransaction(
                customer: .userId(row.customer),
                orderId: "order-\(index)",
                timestamp: Date(timeIntervalSince1970: Double(row.date.dayNumber) * 86_400),
                amount: row.amount,
                currency: "USD"
            )
        }
        _ = try await store.importTransactions(imported)
    }

    /// Stores the events (JSON objects of a batch) as source `web` and processes them.
    func send(_ events: String...) async throws {
        let body = Data(#"{"batch":[\#(events.joined(separator: ","))]}"#.utf8)
        let request = try SegmentRequest.parse(body: body, single: nil, receivedAt: Date())
        #expect(request.rejected.isEmpty, "test events must be valid: \(request.rejected)")
        _ = try await store.ingest(IngestBatch(source: "web", accepted: request.accepted, rejected: request.rejected))
        try await store.processAll()
    }

    static func day(_ year: Int, _ month: Int, _ day: Int) -> Int {
        CalendarDate(year: year, month: month, day: day)!.dayNumber
    }
}
