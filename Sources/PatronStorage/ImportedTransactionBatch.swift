import Foundation
import PatronCore

/// Transaction rows for one ``SQLiteStore/importTransactions(_:source:deferringSeenRanges:)`` call,
/// grouped by customer and with their dates formatted as they are appended: a large import builds
/// the next batch on the thread that parses the file while the writer stores the previous one, so
/// this per-row work no longer holds up the writer (BENCHMARKS.md §3).
public struct ImportedTransactionBatch: Sendable {
    /// One row, its customer given by its position in ``customers``.
    struct Row: Sendable {
        var slot: Int
        var orderId: String
        var timestamp: Date
        /// `timestamp` as ``SQLDate`` stores it.
        var storedTimestamp: String
        var amount: Double
        var currency: String
    }

    /// The distinct customer ids, in the order their first rows were appended.
    private(set) var customers: [Identifier] = []
    /// The date of each customer's earliest row.
    private(set) var earliest: [Date] = []
    /// The date of each customer's latest row.
    private(set) var latest: [Date] = []
    private(set) var rows: [Row] = []
    private var slotOfCustomer: [Identifier: Int] = [:]
    /// The numbers of ``customers`` and their session (``ImportCustomerNumbers``), once numbered.
    var numbering: (session: Int, numbers: [Int])?

    /// An empty batch with room for `capacity` rows.
    public init(capacity: Int = 0) {
        rows.reserveCapacity(capacity)
    }

    /// A batch of `rows`, in their order.
    public init(_ rows: [ImportedTransaction]) {
        self.init(capacity: rows.count)
        for row in rows { append(row) }
    }

    /// The number of rows.
    public var count: Int { rows.count }

    /// Whether the batch has no row.
    public var isEmpty: Bool { rows.isEmpty }

    /// The rows' order ids (their dedup keys), in order.
    public var orderIds: [String] { rows.map(\.orderId) }

    /// Adds a row.
    public mutating func append(_ row: ImportedTransaction) {
        numbering = nil
        let slot: Int
        if let known = slotOfCustomer[row.customer] {
            slot = known
            if row.timestamp < earliest[slot] { earliest[slot] = row.timestamp }
            if row.timestamp > latest[slot] { latest[slot] = row.timestamp }
        } else {
            slot = customers.count
            slotOfCustomer[row.customer] = slot
            customers.append(row.customer)
            earliest.append(row.timestamp)
            latest.append(row.timestamp)
        }
        rows.append(
            Row(
                slot: slot,
                orderId: row.orderId,
                timestamp: row.timestamp,
                storedTimestamp: SQLDate.text(row.timestamp),
                amount: row.amount,
                currency: row.currency
            )
        )
    }
}
