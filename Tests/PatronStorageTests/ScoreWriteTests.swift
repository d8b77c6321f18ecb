import Foundation
import GRDB
import PatronTestSupport
import Testing

@testable import PatronStorage

/// Score writes: a batch run (≥ 100,000 scores of one version at one time) copies its history rows
/// with one INSERT … SELECT; they must equal what the row-by-row path writes.
struct ScoreWriteTests {
    static let customers = 100_000

    func version(_ store: SQLiteStore) async throws -> ModelVersion {
        try await store.saveModelVersion(
            ModelVersion(
                createdAt: Date(timeIntervalSince1970: 1_750_000_000),
                purchaseModel: "bgnbd",
                purchaseParameterNames: ["r", "alpha", "a", "b"],
                purchaseParameters: [1, 2, 3, 4],
                purchaseStandardErrors: nil,
                spendParameters: nil,
                spendStandardErrors: nil,
                timeUnit: "weeks",
                dataCutoffDay: 20_000,
                monthlyDiscountRate: 0.01,
                customers: Self.customers,
                metricsJSON: "{}",
                valueCutPoints: []
            ),
            activate: true
        )
    }

    func scores(version: Int64, at date: Date, count: Int) -> [CustomerScore] {
        (1...count).map { id in
            CustomerScore(
                customerId: Int64(id),
                modelVersionId: version,
                scoredAt: date,
                probabilityAlive: Double(id % 100) / 100,
                expectedPurchases90Days: 0.5,
                expectedPurchases365Days: Double(id % 7),
                expectedSpend: 20,
                lifetimeValue1Year: 10,
                lifetimeValue3Years: Double(id),
                valueDecile: id % 10 + 1,
                tier: "low"
            )
        }
    }

    @Test func aBatchRunCopiesItsHistoryAndASmallWriteBindsIt() async throws {
        let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
        let store = try SQLiteStore(path: path.path)
        try await store.write("seed customers") { db in
            try db.execute(
                sql: """
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
                    INSERT INTO customer (id, createdAt, eventCount) SELECT i, '2025-01-01T00:00:00Z', 0 FROM n
                    """,
                arguments: [Self.customers]
            )
        }
        let saved = try await version(store)
        let batchTime = Date(timeIntervalSince1970: 1_760_000_000)
        try await store.saveScores(scores(version: saved.id, at: batchTime, count: Self.customers), reason: "batch")
        // One order re-scores customer 7 afterwards, row by row.
        try await store.saveScores(
            scores(version: saved.id, at: batchTime.addingTimeInterval(60), count: 7).suffix(1),
            reason: "order"
        )
        let history = try await store.scoreHistory(customerId: 7)
        #expect(history.count == 2)
        #expect(history.map(\.lifetimeValue3Years) == [7, 7])
        let total = try await store.read("count") { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM scoreHistory")
        }
        #expect(total == Self.customers + 1)
        let mismatched = try await store.read("compare") { db in
            try Int.fetchOne(
                db,
                sql: """
                    SELECT count(*) FROM scoreHistory h JOIN customerScore s USING (customerId)
                    WHERE h.reason = 'batch' AND (h.lifetimeValue3Years != s.lifetimeValue3Years
                        OR h.probabilityAlive != s.probabilityAlive OR h.valueDecile != s.valueDecile
                        OR h.expectedPurchases365Days != s.expectedPurchases365Days)
                        AND s.customerId != 7
                    """
            )
        }
        #expect(mismatched == 0)
        // The batch ran without foreign-key checks; they are back on for every later write, and
        // every score row refers to a stored customer.
        let checks = try await store.read("foreign keys") { db in try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") }
        #expect(checks == true)
        let orphans = try await store.read("orphans") { db in
            try Row.fetchAll(db, sql: "PRAGMA foreign_key_check(customerScore)").count
        }
        #expect(orphans == 0)
        let written = try await store.write("foreign keys on the writer") { db in
            try Bool.fetchOne(db, sql: "PRAGMA foreign_keys")
        }
        #expect(written == true)
    }
}
