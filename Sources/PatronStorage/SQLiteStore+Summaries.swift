import Foundation
import GRDB

extension SQLiteStore {
    /// Orders that count as purchases: not refunded in full.
    static let countedOrder = "NOT (refundedAmount > 0 AND refundedAmount >= revenue)"

    /// Per customer: first day, last day up to `:asOfDay`, repeat purchase days, revenue of the
    /// first and repeat days, and purchase days after `:asOfDay` up to `:holdoutEndDay`. Customers
    /// whose first purchase is after `:asOfDay` are left out. One ordered pass over the covering
    /// index `transactionByCustomer` (customerId, purchaseDay, revenue, refundedAmount), plus one
    /// index seek per customer for the first day's revenue.
    /// - Parameters:
    ///   - customerList: only the customers in the JSON array `:customers` (index seeks; one cached
    ///     statement whatever the list).
    ///   - customerRange: only customers with ids in `:lowestCustomer…:highestCustomer` (an index
    ///     range scan), for samples.
    static func summarySQL(customerList: Bool = false, customerRange: Bool = false) -> String {
        """
        WITH perCustomer AS (
            SELECT customerId, min(purchaseDay) AS firstDay,
                max(CASE WHEN purchaseDay <= :asOfDay THEN purchaseDay END) AS lastDay,
                count(DISTINCT CASE WHEN purchaseDay <= :asOfDay THEN purchaseDay END) - 1 AS repeatPurchases,
                sum(CASE WHEN purchaseDay <= :asOfDay THEN revenue - refundedAmount ELSE 0 END) AS revenue,
                count(DISTINCT CASE WHEN purchaseDay > :asOfDay THEN purchaseDay END) AS holdoutPurchases,
                sum(CASE WHEN purchaseDay > :asOfDay THEN revenue - refundedAmount ELSE 0 END) AS holdoutRevenue
            FROM customerTransaction INDEXED BY \(transactionIndex)
            WHERE \(countedOrder) AND purchaseDay <= :holdoutEndDay
                \(customerList ? "AND customerId IN (SELECT value FROM json_each(:customers))" : "")
                \(customerRange ? "AND customerId BETWEEN :lowestCustomer AND :highestCustomer" : "")
            GROUP BY customerId
            HAVING firstDay <= :asOfDay
        ),
        withFirst AS (
            SELECT *, (
                SELECT sum(revenue - refundedAmount) FROM customerTransaction AS first
                WHERE first.customerId = perCustomer.customerId AND first.purchaseDay = perCustomer.firstDay
                    AND \(countedOrder)
            ) AS firstRevenue
            FROM perCustomer
        )
        SELECT customerId, firstDay, lastDay, repeatPurchases, firstRevenue, revenue - firstRevenue AS repeatRevenue,
            holdoutPurchases, holdoutRevenue
        FROM withFirst
        """
    }

    /// Every customer's purchase summary as of `asOfDay` (inclusive), with purchases up to
    /// `holdoutEndDay` (inclusive; default `asOfDay`) counted as holdout. Computed in SQL.
    /// - Parameter customers: only these customers (for re-scoring); `nil` for all.
    ///
    /// Without `customers`, the customer-id range is cut into one slice per processor, summarised
    /// concurrently on separate read connections (each an index range scan) and concatenated: the
    /// same summaries in the same (customer id) order, about as many times faster as there are
    /// cores. Each customer's summary comes from one consistent read; slices may see commits made
    /// between their starts.
    public func purchaseSummaries(
        asOfDay: Int,
        holdoutEndDay: Int? = nil,
        customers: [Int64]? = nil
    ) async throws(StoreError) -> [PurchaseSummary] {
        let slices = ProcessInfo.processInfo.activeProcessorCount
        if customers == nil, slices > 1, let span = try await customerIdSpan()?.ids {
            return try await purchaseSummaries(
                asOfDay: asOfDay,
                holdoutEndDay: holdoutEndDay,
                concurrentRanges: Self.slices(of: span, count: slices)
            )
        }
        return try await read("summarise purchases") { db in
            try Self.fetchSummaries(db, asOfDay: asOfDay, holdoutEndDay: holdoutEndDay, customers: customers)
        }
    }

    /// `span` cut into at most `count` contiguous ranges of about equal width, in order.
    static func slices(of span: ClosedRange<Int64>, count: Int) -> [ClosedRange<Int64>] {
        let width = Swift.max(1, (span.upperBound - span.lowerBound) / Int64(count) + 1)
        return stride(from: span.lowerBound, through: span.upperBound, by: Int(width)).map {
            $0...Swift.min(span.upperBound, $0 + width - 1)
        }
    }

    /// The summaries of the customers in each range, read concurrently (one read connection per
    /// range), in range order.
    private func purchaseSummaries(
        asOfDay: Int,
        holdoutEndDay: Int?,
        concurrentRanges ranges: [ClosedRange<Int64>]
    ) async throws(StoreError) -> [PurchaseSummary] {
        do {
            return try await withThrowingTaskGroup(of: (Int, [PurchaseSummary]).self) { group in
                for (index, range) in ranges.enumerated() {
                    group.addTask {
                        let summaries = try await self.read("summarise purchases") { db in
                            try Self.fetchSummaries(
                                db,
                                asOfDay: asOfDay,
                                holdoutEndDay: holdoutEndDay ?? asOfDay,
                                range: range
                            )
                        }
                        return (index, summaries)
                    }
                }
                var parts = [[PurchaseSummary]](repeating: [], count: ranges.count)
                for try await (index, summaries) in group { parts[index] = summaries }
                return parts.flatMap { $0 }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unavailable, "could not summarise purchases: \(error)", underlying: error)
        }
    }

    static func fetchSummaries(
        _ db: Database,
        asOfDay: Int,
        holdoutEndDay: Int,
        range: ClosedRange<Int64>
    ) throws -> [PurchaseSummary] {
        let rows = try Row.fetchCursor(
            db.cachedStatement(sql: Self.summarySQL(customerRange: true)),
            arguments: [
                "asOfDay": asOfDay, "holdoutEndDay": holdoutEndDay, "lowestCustomer": range.lowerBound,
                "highestCustomer": range.upperBound,
            ]
        )
        var summaries: [PurchaseSummary] = []
        while let row = try rows.next() { summaries.append(summary(row)) }
        return summaries
    }

    /// The purchase summaries as of `asOfDay` of the customers with ids in `customerRanges` (each
    /// read by an index range scan), for samples.
    public func purchaseSummaries(
        asOfDay: Int,
        customerRanges: [ClosedRange<Int64>]
    ) async throws(StoreError) -> [PurchaseSummary] {
        try await read("summarise a sample of purchases") { db in
            try customerRanges.flatMap { range in
                try Self.fetchSummaries(db, asOfDay: asOfDay, holdoutEndDay: asOfDay, range: range)
            }
        }
    }

    /// The lowest and highest ids of customers with transactions, and the number of customers in
    /// the store (buyers or not): what a sample is drawn from. Index seeks, no scan of transactions.
    public func customerIdSpan() async throws(StoreError) -> (ids: ClosedRange<Int64>, customers: Int)? {
        try await read("read the customer id span") { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT (SELECT min(customerId) FROM customerTransaction INDEXED BY \(Self.transactionIndex)),
                        (SELECT max(customerId) FROM customerTransaction INDEXED BY \(Self.transactionIndex)),
                        (SELECT count(*) FROM customer)
                    """
            )
            guard let row, let lowest: Int64 = row[0], let highest: Int64 = row[1] else { return nil }
            return (lowest...highest, row[2])
        }
    }

    /// The active model version's id and the summaries of `customers` as of `asOfDay`, in one read
    /// transaction: everything the real-time re-score reads.
    public func activeVersionIdAndSummaries(
        customers: [Int64],
        asOfDay: Int
    ) async throws(StoreError) -> (activeVersionId: Int64?, summaries: [PurchaseSummary]) {
        try await read("read the active version and summarise purchases") { db in
            let id = try Int64.fetchOne(db.cachedStatement(sql: Self.activeVersionIdSQL))
            return (id, try Self.fetchSummaries(db, asOfDay: asOfDay, holdoutEndDay: nil, customers: customers))
        }
    }

    static func fetchSummaries(
        _ db: Database,
        asOfDay: Int,
        holdoutEndDay: Int?,
        customers: [Int64]?
    ) throws -> [PurchaseSummary] {
        var arguments: StatementArguments = ["asOfDay": asOfDay, "holdoutEndDay": holdoutEndDay ?? asOfDay]
        if let customers {
            _ = arguments.append(contentsOf: [
                "customers": jsonIdList(customers)
            ])
        }
        let statement = try db.cachedStatement(sql: Self.summarySQL(customerList: customers != nil))
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        var summaries: [PurchaseSummary] = []
        while let row = try rows.next() { summaries.append(summary(row)) }
        return summaries
    }

    /// A summary from a row of ``summarySQL(customerList:customerRange:)``.
    static func summary(_ row: Row) -> PurchaseSummary {
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
    }

    /// The unique (x, t_x, T) histories as of `asOfDay` with their customer counts and holdout
    /// purchases, grouped in SQL: what a purchase model is fitted on.
    /// - Parameter customerRanges: only the customers with ids in these ranges (each read by an index
    ///   range scan; a sample spread over the id space, i.e. over acquisition time); `nil` for all.
    public func purchaseHistoryGroups(
        asOfDay: Int,
        holdoutEndDay: Int? = nil,
        customerRanges: [ClosedRange<Int64>]? = nil
    ) async throws(StoreError)
        -> [PurchaseHistoryGroup]
    {
        try await read("group purchase histories") { db in
            let sql = """
                SELECT repeatPurchases, lastDay - firstDay, :asOfDay - firstDay, count(*), sum(holdoutPurchases)
                FROM (\(Self.summarySQL(customerRange: customerRanges != nil)))
                GROUP BY 1, 2, 3
                """
            var merged: [PurchaseHistoryKey: (customers: Int, holdout: Int)] = [:]
            for range in customerRanges ?? [Int64.min...Int64.max] {
                var arguments: StatementArguments = ["asOfDay": asOfDay, "holdoutEndDay": holdoutEndDay ?? asOfDay]
                if customerRanges != nil {
                    _ = arguments.append(contentsOf: [
                        "lowestCustomer": range.lowerBound, "highestCustomer": range.upperBound,
                    ])
                }
                for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
                    let key = PurchaseHistoryKey(repeatPurchases: row[0], recencyDays: row[1], ageDays: row[2])
                    let counts = merged[key] ?? (0, 0)
                    merged[key] = (counts.customers + row[3], counts.holdout + row[4])
                }
            }
            return merged.sorted { $0.key < $1.key }.map { key, counts in
                PurchaseHistoryGroup(
                    repeatPurchases: key.repeatPurchases,
                    recencyDays: key.recencyDays,
                    ageDays: key.ageDays,
                    customers: counts.customers,
                    holdoutPurchases: counts.holdout
                )
            }
        }
    }

    /// The first and last purchase days in the store, or `nil` without transactions.
    public func purchaseDayRange() async throws(StoreError) -> ClosedRange<Int>? {
        try await read("read the purchase day range") { db in
            let row = try Row.fetchOne(
                db,
                sql:
                    "SELECT min(purchaseDay), max(purchaseDay) FROM customerTransaction INDEXED BY \(Self.transactionIndex)"
            )
            guard let first: Int = row?[0], let last: Int = row?[1] else { return nil }
            return first...last
        }
    }
}
