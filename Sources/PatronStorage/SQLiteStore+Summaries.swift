import GRDB

extension SQLiteStore {
    /// The purchase day of a transaction row (days since 1970-01-01, UTC).
    private static let purchaseDay = "CAST(julianday(substr(timestamp, 1, 10)) - 2440587.5 AS INTEGER)"

    /// Per customer: first day, last day up to `asOfDay`, repeat purchase days, revenue of the
    /// first and repeat days, and purchases after `asOfDay` up to `holdoutEndDay`. Customers whose
    /// first purchase is after `asOfDay` are left out; so are orders refunded in full.
    /// - Parameter customers: the customers to summarise, or `nil` for all.
    static func summarySQL(customers: String?) -> String {
        """
        WITH purchaseDay AS (
            SELECT customerId, \(purchaseDay) AS day, sum(revenue - refundedAmount) AS amount
            FROM customerTransaction
            WHERE NOT (refundedAmount > 0 AND refundedAmount >= revenue)
                AND \(purchaseDay) <= :holdoutEndDay \(customers.map { "AND customerId IN (\($0))" } ?? "")
            GROUP BY customerId, day
        ),
        ranked AS (
            SELECT customerId, day, amount, min(day) OVER (PARTITION BY customerId) AS firstDay FROM purchaseDay
        )
        SELECT customerId, firstDay,
            max(CASE WHEN day <= :asOfDay THEN day END) AS lastDay,
            sum(day <= :asOfDay) - 1 AS repeatPurchases,
            sum(CASE WHEN day = firstDay THEN amount ELSE 0 END) AS firstRevenue,
            sum(CASE WHEN day > firstDay AND day <= :asOfDay THEN amount ELSE 0 END) AS repeatRevenue,
            sum(day > :asOfDay) AS holdoutPurchases,
            sum(CASE WHEN day > :asOfDay THEN amount ELSE 0 END) AS holdoutRevenue
        FROM ranked
        GROUP BY customerId
        HAVING firstDay <= :asOfDay
        """
    }

    /// Every customer's purchase summary as of `asOfDay` (inclusive), with purchases up to
    /// `holdoutEndDay` (inclusive; default `asOfDay`) counted as holdout. Computed in SQL.
    /// - Parameter customers: only these customers (for re-scoring); `nil` for all.
    public func purchaseSummaries(
        asOfDay: Int,
        holdoutEndDay: Int? = nil,
        customers: [Int64]? = nil
    ) async throws(StoreError) -> [PurchaseSummary] {
        try await read("summarise purchases") { db in
            let list = customers.map { $0.map(String.init).joined(separator: ",") }
            let arguments: StatementArguments = ["asOfDay": asOfDay, "holdoutEndDay": holdoutEndDay ?? asOfDay]
            let rows = try Row.fetchCursor(db, sql: Self.summarySQL(customers: list), arguments: arguments)
            var summaries: [PurchaseSummary] = []
            while let row = try rows.next() {
                summaries.append(
                    PurchaseSummary(
                        customerId: row[0],
                        firstDay: row[1],
                        lastDay: row[2],
                        repeatPurchases: row[3],
                        firstRevenue: row[4],
                        repeatRevenue: row[5],
                        holdoutPurchases: row[6],
                        holdoutRevenue: row[7]
                    )
                )
            }
            return summaries
        }
    }

    /// The unique (x, t_x, T) histories as of `asOfDay` with their customer counts and holdout
    /// purchases, grouped in SQL: what a purchase model is fitted on.
    public func purchaseHistoryGroups(
        asOfDay: Int,
        holdoutEndDay: Int? = nil
    ) async throws(StoreError)
        -> [PurchaseHistoryGroup]
    {
        try await read("group purchase histories") { db in
            let sql = """
                SELECT repeatPurchases, lastDay - firstDay, :asOfDay - firstDay, count(*), sum(holdoutPurchases)
                FROM (\(Self.summarySQL(customers: nil)))
                GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
                """
            let arguments: StatementArguments = ["asOfDay": asOfDay, "holdoutEndDay": holdoutEndDay ?? asOfDay]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                PurchaseHistoryGroup(
                    repeatPurchases: row[0],
                    recencyDays: row[1],
                    ageDays: row[2],
                    customers: row[3],
                    holdoutPurchases: row[4]
                )
            }
        }
    }

    /// The first and last purchase days in the store, or `nil` without transactions.
    public func purchaseDayRange() async throws(StoreError) -> ClosedRange<Int>? {
        try await read("read the purchase day range") { db in
            let row = try Row.fetchOne(
                db,
                sql: "SELECT min(\(Self.purchaseDay)), max(\(Self.purchaseDay)) FROM customerTransaction"
            )
            guard let first: Int = row?[0], let last: Int = row?[1] else { return nil }
            return first...last
        }
    }
}
