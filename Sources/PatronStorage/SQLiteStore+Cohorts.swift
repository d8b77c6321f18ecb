import GRDB

/// One customer's recency, frequency and monetary value with their quintile scores.
public struct RFMRow: Sendable, Hashable {
    /// The customer.
    public var customerId: Int64
    /// Days from the last purchase to the as-of day.
    public var recencyDays: Int
    /// Purchase days.
    public var frequency: Int
    /// Revenue, net of refunds.
    public var monetary: Double
    /// Recency score 1…5 (5 = most recent).
    public var recencyScore: Int
    /// Frequency score 1…5 (5 = most frequent).
    public var frequencyScore: Int
    /// Monetary score 1…5 (5 = highest).
    public var monetaryScore: Int
}

/// Activity of one acquisition cohort in one month since acquisition.
public struct CohortCell: Sendable, Hashable {
    /// The cohort: the month of the first purchase, `YYYY-MM`.
    public var cohort: String
    /// Months since the first purchase's month (0 = that month).
    public var period: Int
    /// Customers of the cohort who bought in the period.
    public var activeCustomers: Int
    /// Their revenue in the period, net of refunds.
    public var revenue: Double
}

extension SQLiteStore {
    /// Recency, frequency and monetary value of every customer as of `asOfDay`, scored in quintiles
    /// by rank: score = 1 + ⌊5 (rank − 1) / n⌋ with rank ascending in "better", so customers with
    /// equal values share a score.
    public func rfmRows(asOfDay: Int) async throws(StoreError) -> [RFMRow] {
        try await read("score RFM") { db in
            let sql = """
                WITH summary AS (\(Self.summarySQL())),
                rfm AS (
                    SELECT customerId, :asOfDay - lastDay AS recencyDays, repeatPurchases + 1 AS frequency,
                        firstRevenue + repeatRevenue AS monetary
                    FROM summary
                )
                SELECT customerId, recencyDays, frequency, monetary,
                    1 + (5 * (rank() OVER (ORDER BY recencyDays DESC) - 1)) / count(*) OVER () AS r,
                    1 + (5 * (rank() OVER (ORDER BY frequency) - 1)) / count(*) OVER () AS f,
                    1 + (5 * (rank() OVER (ORDER BY monetary) - 1)) / count(*) OVER () AS m
                FROM rfm
                """
            let rows = try Row.fetchCursor(db, sql: sql, arguments: ["asOfDay": asOfDay, "holdoutEndDay": asOfDay])
            var result: [RFMRow] = []
            while let row = try rows.next() {
                result.append(
                    RFMRow(
                        customerId: row[0],
                        recencyDays: row[1],
                        frequency: row[2],
                        monetary: row[3],
                        recencyScore: row[4],
                        frequencyScore: row[5],
                        monetaryScore: row[6]
                    )
                )
            }
            return result
        }
    }

    /// Acquisition cohorts (month of first purchase) × months since: active customers and revenue;
    /// fully refunded orders do not count.
    public func cohortCells() async throws(StoreError) -> [CohortCell] {
        try await read("build cohorts") { db in
            let month = "(CAST(substr(timestamp, 1, 4) AS INTEGER) * 12 + CAST(substr(timestamp, 6, 2) AS INTEGER) - 1)"
            let sql = """
                WITH purchase AS (
                    SELECT customerId, \(month) AS month, revenue - refundedAmount AS amount
                    FROM customerTransaction WHERE NOT (refundedAmount > 0 AND refundedAmount >= revenue)
                ),
                cohort AS (SELECT customerId, min(month) AS first FROM purchase GROUP BY customerId)
                SELECT printf('%04d-%02d', first / 12, first % 12 + 1), month - first,
                    count(DISTINCT purchase.customerId), sum(amount)
                FROM purchase JOIN cohort USING (customerId)
                GROUP BY first, month - first ORDER BY first, month - first
                """
            return try Row.fetchAll(db, sql: sql).map { row in
                CohortCell(cohort: row[0], period: row[1], activeCustomers: row[2], revenue: row[3])
            }
        }
    }

    /// Mean current 3-year CLV per acquisition cohort (month of first purchase), for scored customers.
    public func predictedValueByCohort() async throws(StoreError) -> [String: Double] {
        try await read("read cohort values") { db in
            let sql = """
                WITH cohort AS (
                    SELECT customerId, min(substr(timestamp, 1, 7)) AS month FROM customerTransaction
                    WHERE NOT (refundedAmount > 0 AND refundedAmount >= revenue) GROUP BY customerId
                )
                SELECT month, avg(lifetimeValue3Years) FROM cohort JOIN customerScore USING (customerId) GROUP BY month
                """
            var values: [String: Double] = [:]
            for row in try Row.fetchAll(db, sql: sql) { values[row[0]] = row[1] }
            return values
        }
    }
}
