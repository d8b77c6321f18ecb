import Foundation
import GRDB

/// The seen ranges (`firstSeen`…`lastSeen`) that transaction imports widen, kept out of the
/// `customer` table until the end of an import: each batch appends, in the transaction that stores
/// its rows, one line per customer whose range its imported rows widen to the append-only
/// `importSeenJournal` table, and ``fold(_:)`` widens the customers with all of them at once.
///
/// Updating `customer` rows at every batch rewrote most of the table at every commit (≈ 14 GB of
/// the 17.6 GB a 10 M-row import wrote, BENCHMARKS.md §3); the journal only ever appends. A
/// journal left by an import that died is folded by the next ``SQLiteStore/init(path:)``: since
/// widening is idempotent, folding lines twice, or while another import still appends, is harmless.
enum ImportSeenJournal {
    static let table = "importSeenJournal"

    /// Migration v11: the journal (no index: it is only appended to and read whole).
    static func create(_ db: Database) throws {
        try db.create(table: table) { table in
            table.column("customerId", .integer).notNull()
            // Milliseconds since 1970, as ``SQLDate`` truncates them.
            table.column("firstSeen", .integer).notNull()
            table.column("lastSeen", .integer).notNull()
        }
    }

    /// The statement ``append(_:customer:first:last:)`` binds.
    static func appending(_ db: Database) throws -> BoundStatement {
        try BoundStatement(db, sql: "INSERT INTO \(table) (customerId, firstSeen, lastSeen) VALUES (?1, ?2, ?3)")
    }

    /// Records that `customer` was seen from `first` to `last`.
    static func append(_ statement: BoundStatement, customer: Int64, first: Date, last: Date) throws {
        statement.bind(customer, at: 1)
        statement.bind(milliseconds(first), at: 2)
        statement.bind(milliseconds(last), at: 3)
        try statement.execute()
    }

    /// A date in whole milliseconds since 1970, truncated as ``SQLDate/text(_:)`` truncates it.
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// The stored text of `milliseconds` (an SQL expression), the same text as ``SQLDate/text(_:)``.
    private static func storedDate(_ milliseconds: String) -> String {
        "strftime('%Y-%m-%d %H:%M:%f', \(milliseconds) / 1000.0, 'unixepoch')"
    }

    /// Whether no import has journaled anything since the last fold.
    static func isEmpty(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM \(table))") ?? true
    }

    /// Widens every journaled customer's seen range, and the range of the customer it was merged
    /// into since (a merge only copied the range it had then), then empties the journal. Run inside
    /// a write transaction; does nothing when the journal is empty.
    static func fold(_ db: Database) throws {
        guard try !isEmpty(db) else { return }
        try db.execute(
            sql: """
                UPDATE customer SET
                    firstSeen = min(coalesce(firstSeen, seen.first), seen.first),
                    lastSeen = max(coalesce(lastSeen, seen.last), seen.last)
                FROM (
                    SELECT customerId, \(storedDate("min(firstSeen)")) AS first, \(storedDate("max(lastSeen)")) AS last
                    FROM \(table) GROUP BY customerId
                ) AS seen
                WHERE customer.id = seen.customerId
                """
        )
        // Merged customers pass their ranges on to the customers they were merged into, one level
        // of a chain of merges per pass (a chain is as long as the merges made in a row).
        for _ in 0..<64 {
            try db.execute(
                sql: """
                    UPDATE customer AS winner SET
                        firstSeen = coalesce(min(winner.firstSeen, merged.first), winner.firstSeen, merged.first),
                        lastSeen = coalesce(max(winner.lastSeen, merged.last), winner.lastSeen, merged.last)
                    FROM (
                        SELECT mergedInto, min(firstSeen) AS first, max(lastSeen) AS last
                        FROM customer WHERE mergedInto IS NOT NULL GROUP BY mergedInto
                    ) AS merged
                    WHERE winner.id = merged.mergedInto AND (
                        merged.first < coalesce(winner.firstSeen, '9999') OR merged.last > coalesce(winner.lastSeen, '')
                    )
                    """
            )
            if db.changesCount == 0 { break }
        }
        try db.execute(sql: "DELETE FROM \(table)")
    }
}
