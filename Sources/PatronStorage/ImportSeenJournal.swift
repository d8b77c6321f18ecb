import Foundation
import GRDB
import PatronCore

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
    static func milliseconds(_ date: Date) -> Int64 { SegmentTimestamp.milliseconds(date) }

    /// Whether no import has journaled anything since the last fold.
    static func isEmpty(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM \(table))") ?? true
    }

    /// Widens every journaled customer's seen range, and the range of the customer it was merged
    /// into since (a merge only copied the range it had then), then empties the journal. Run inside
    /// a write transaction; does nothing when the journal is empty.
    ///
    /// The lines are read in one pass and grouped by customer in memory (24 bytes a line): SQL's
    /// `GROUP BY` and date functions took several times longer for the millions of lines of a
    /// large import.
    static func fold(_ db: Database) throws {
        guard try !isEmpty(db) else { return }
        var lines: [(customer: Int64, first: Int64, last: Int64)] = []
        let scan = try BoundStatement(db, sql: "SELECT customerId, firstSeen, lastSeen FROM \(table)")
        while try scan.step() {
            lines.append((scan.int64(at: 0), scan.int64(at: 1), scan.int64(at: 2)))
        }
        scan.reset()
        lines.sort { $0.customer < $1.customer }
        let widen = try BoundStatement(
            db,
            sql: """
                UPDATE customer
                SET firstSeen = min(coalesce(firstSeen, ?2), ?2), lastSeen = max(coalesce(lastSeen, ?3), ?3)
                WHERE id = ?1
                """
        )
        var index = lines.startIndex
        while index < lines.endIndex {
            var (customer, first, last) = lines[index]
            index += 1
            while index < lines.endIndex, lines[index].customer == customer {
                first = min(first, lines[index].first)
                last = max(last, lines[index].last)
                index += 1
            }
            widen.bind(customer, at: 1)
            widen.bind(SQLDate.text(milliseconds: first), at: 2)
            widen.bind(SQLDate.text(milliseconds: last), at: 3)
            try widen.execute()
        }
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
