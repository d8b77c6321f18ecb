import Foundation
import GRDB
import GRDBSQLite
import PatronCore

/// The seen ranges (`firstSeen`…`lastSeen`) that transaction imports widen, kept out of the
/// `customer` table until the end of an import: each batch appends, in the transaction that stores
/// its rows, one journal row holding the widened range of every customer whose range its imported
/// rows widen, and ``fold(_:)`` widens the customers with all of them at once.
///
/// Updating `customer` rows at every batch rewrote most of the table at every commit (≈ 14 GB of
/// the 17.6 GB a 10 M-row import wrote, BENCHMARKS.md §3); the journal only ever appends, and one
/// row per batch (the ranges packed in a blob) costs the writer one insert instead of one per
/// customer (4 s of a 10 M-row import). A journal left by an import that died is folded by the
/// next ``SQLiteStore/init(path:)``: since widening is idempotent, folding a range twice, or while
/// another import still appends, is harmless.
enum ImportSeenJournal {
    static let table = "importSeenRanges"
    /// Migration v12's journal: one row per customer and batch.
    static let linesTable = "importSeenJournal"

    /// One customer's range in milliseconds since 1970, truncated as ``SQLDate/text(_:)`` truncates.
    typealias SeenRange = (customer: Int64, first: Int64, last: Int64)

    /// Migration v12: the journal as one row per customer and batch (no index: only appended to and
    /// read whole).
    static func createLines(_ db: Database) throws {
        try db.create(table: linesTable) { table in
            table.column("customerId", .integer).notNull()
            table.column("firstSeen", .integer).notNull()
            table.column("lastSeen", .integer).notNull()
        }
    }

    /// Migration v13: one row per batch. Lines an import left in v12's table are folded first.
    static func createBatches(_ db: Database) throws {
        var lines: [SeenRange] = []
        let scan = try BoundStatement(db, sql: "SELECT customerId, firstSeen, lastSeen FROM \(linesTable)")
        while try scan.step() { lines.append((scan.int64(at: 0), scan.int64(at: 1), scan.int64(at: 2))) }
        scan.reset()
        try widen(lines, db: db)
        try db.drop(table: linesTable)
        try db.create(table: table) { table in
            table.autoIncrementedPrimaryKey("id")
            // Little-endian Int64 triples: customer id, first and last time in milliseconds since 1970.
            table.column("ranges", .blob).notNull()
        }
    }

    /// The ranges one batch widens, packed as ``append(_:db:)`` stores them.
    struct Batch {
        private(set) var packed: [Int64] = []

        /// Whether no range was added.
        var isEmpty: Bool { packed.isEmpty }

        /// Records that `customer` was seen from `first` to `last`.
        mutating func add(customer: Int64, first: Date, last: Date) {
            packed.append(customer.littleEndian)
            packed.append(ImportSeenJournal.milliseconds(first).littleEndian)
            packed.append(ImportSeenJournal.milliseconds(last).littleEndian)
        }
    }

    /// Stores a batch's ranges as one journal row (nothing when it has none).
    static func append(_ batch: Batch, db: Database) throws {
        guard !batch.isEmpty else { return }
        let insert = try BoundStatement(db, sql: "INSERT INTO \(table) (ranges) VALUES (?1)")
        batch.packed.withUnsafeBytes { bytes in insert.bind(bytes, at: 1) }
        try insert.execute()
    }

    /// A date in whole milliseconds since 1970, truncated as ``SQLDate/text(_:)`` truncates it.
    static func milliseconds(_ date: Date) -> Int64 { SegmentTimestamp.milliseconds(date) }

    /// Whether no import has journaled anything since the last fold.
    static func isEmpty(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM \(table))") ?? true
    }

    /// The number of customer ranges journaled and not folded yet.
    static func rangeCount(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT coalesce(sum(length(ranges)), 0) / 24 FROM \(table)") ?? 0
    }

    /// Widens every journaled customer's seen range, and the range of the customer it was merged
    /// into since (a merge only copied the range it had then), then empties the journal. Run inside
    /// a write transaction; does nothing when the journal is empty.
    static func fold(_ db: Database) throws {
        guard try !isEmpty(db) else { return }
        var ranges: [SeenRange] = []
        let scan = try BoundStatement(db, sql: "SELECT ranges FROM \(table)")
        while try scan.step() {
            scan.withBlob(at: 0) { bytes in
                let count = bytes.count / (3 * MemoryLayout<Int64>.size)
                for index in 0..<count {
                    func value(_ field: Int) -> Int64 {
                        Int64(
                            littleEndian: bytes.loadUnaligned(
                                fromByteOffset: (3 * index + field) * MemoryLayout<Int64>.size,
                                as: Int64.self
                            )
                        )
                    }
                    ranges.append((value(0), value(1), value(2)))
                }
            }
        }
        scan.reset()
        try widen(ranges, db: db)
        try db.execute(sql: "DELETE FROM \(table)")
    }

    /// Widens the customers' seen ranges by `ranges` (several per customer allowed), grouped by
    /// customer in memory (SQL's `GROUP BY` and date functions took several times longer for the
    /// millions of ranges of a large import), then passes merged customers' ranges on.
    private static func widen(_ ranges: [SeenRange], db: Database) throws {
        guard !ranges.isEmpty else { return }
        var ranges = ranges
        ranges.sort { $0.customer < $1.customer }
        let widen = try BoundStatement(
            db,
            sql: """
                UPDATE customer
                SET firstSeen = min(coalesce(firstSeen, ?2), ?2), lastSeen = max(coalesce(lastSeen, ?3), ?3)
                WHERE id = ?1
                """
        )
        var index = ranges.startIndex
        while index < ranges.endIndex {
            var (customer, first, last) = ranges[index]
            index += 1
            while index < ranges.endIndex, ranges[index].customer == customer {
                first = min(first, ranges[index].first)
                last = max(last, ranges[index].last)
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
    }
}
