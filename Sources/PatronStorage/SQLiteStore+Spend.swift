import GRDB

/// One row of marketing spend.
public struct SpendRow: Sendable, Hashable {
    /// The day (days since 1970-01-01).
    public var day: Int
    /// The channel, named as acquisition channels are (`paid search`, `email`, …).
    public var channel: String
    /// The campaign ("" when none).
    public var campaign: String
    /// The amount spent.
    public var amount: Double
    /// ISO 4217 code.
    public var currency: String

    /// Creates a row.
    public init(day: Int, channel: String, campaign: String, amount: Double, currency: String) {
        self.day = day
        self.channel = channel
        self.campaign = campaign
        self.amount = amount
        self.currency = currency
    }
}

/// Spend, acquired customers and their value for one channel and acquisition month.
public struct ChannelMonth: Sendable, Hashable {
    /// The channel.
    public var channel: String
    /// `YYYY-MM`.
    public var month: String
    /// Spend in the month.
    public var spend: Double
    /// Customers whose first touch was in the channel that month and who bought.
    public var customers: Int
    /// Their revenue to date, net of refunds.
    public var revenue: Double
    /// Σ of their current 3-year CLV (scored customers).
    public var predictedValue: Double
}

extension SQLiteStore {
    /// Imports spend rows; a row for the same day, channel and campaign replaces the stored amount
    /// (so a corrected file updates, and re-importing the same file changes nothing).
    public func importSpend(_ rows: [SpendRow]) async throws(StoreError) -> ImportOutcome {
        try await write("import spend") { db in
            var outcome = ImportOutcome()
            for row in rows {
                try db.executeCached(
                    sql: """
                        INSERT INTO marketingSpend (day, channel, campaign, amount, currency) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (day, channel, campaign) DO UPDATE SET amount = excluded.amount, currency = excluded.currency
                        WHERE amount != excluded.amount OR currency != excluded.currency
                        """,
                    arguments: [row.day, row.channel, row.campaign, row.amount, row.currency]
                )
                if db.changesCount > 0 { outcome.imported += 1 } else { outcome.alreadyPresent += 1 }
            }
            return outcome
        }
    }

    /// Spend and acquired buying customers per channel and month of first touch, with their revenue
    /// to date and predicted value.
    public func channelMonths() async throws(StoreError) -> [ChannelMonth] {
        try await read("sum spend and acquisition") { db in
            let sql = """
                WITH revenue AS (
                    SELECT customerId, sum(revenue - refundedAmount) AS revenue FROM customerTransaction
                    WHERE \(Self.countedOrder) GROUP BY customerId
                ),
                acquired AS (
                    SELECT a.channel, substr(a.firstTouchAt, 1, 7) AS month, count(*) AS customers,
                        sum(r.revenue) AS revenue, coalesce(sum(s.lifetimeValue3Years), 0) AS predicted
                    FROM acquisition a
                    JOIN customer c ON c.id = a.customerId AND c.mergedInto IS NULL
                    JOIN revenue r ON r.customerId = a.customerId
                    LEFT JOIN customerScore s ON s.customerId = a.customerId
                    GROUP BY a.channel, month
                ),
                spent AS (
                    SELECT channel, strftime('%Y-%m', day * 86400, 'unixepoch') AS month, sum(amount) AS spend
                    FROM marketingSpend GROUP BY channel, month
                ),
                keys AS (SELECT channel, month FROM acquired UNION SELECT channel, month FROM spent)
                SELECT k.channel, k.month, coalesce(s.spend, 0), coalesce(a.customers, 0), coalesce(a.revenue, 0),
                    coalesce(a.predicted, 0)
                FROM keys k
                LEFT JOIN acquired a ON a.channel = k.channel AND a.month = k.month
                LEFT JOIN spent s ON s.channel = k.channel AND s.month = k.month
                ORDER BY k.channel, k.month
                """
            return try Row.fetchAll(db, sql: sql).map { row in
                ChannelMonth(
                    channel: row[0],
                    month: row[1],
                    spend: row[2],
                    customers: row[3],
                    revenue: row[4],
                    predictedValue: row[5]
                )
            }
        }
    }

    /// Revenue of each channel's acquired customers by months since their first-touch month
    /// (0 = that month), for payback.
    public func channelRevenueByMonthsSinceAcquisition() async throws(StoreError) -> [String: [Int: Double]] {
        try await read("sum channel revenue") { db in
            let month = { (column: String) in
                "(CAST(substr(\(column), 1, 4) AS INTEGER) * 12 + CAST(substr(\(column), 6, 2) AS INTEGER))"
            }
            let sql = """
                SELECT a.channel, \(month("t.timestamp")) - \(month("a.firstTouchAt")) AS offset,
                    sum(t.revenue - t.refundedAmount)
                FROM customerTransaction t JOIN acquisition a ON a.customerId = t.customerId
                WHERE NOT (t.refundedAmount > 0 AND t.refundedAmount >= t.revenue)
                GROUP BY a.channel, offset
                """
            var result: [String: [Int: Double]] = [:]
            for row in try Row.fetchAll(db, sql: sql) { result[row[0], default: [:]][max(0, row[1] as Int)] = row[2] }
            return result
        }
    }
}
