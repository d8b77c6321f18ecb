public import Foundation
package import GRDB

extension SQLiteStore {
    /// Stores a new segment.
    /// - Parameters:
    ///   - name: a unique name.
    ///   - definition: the condition as JSON text (checked by the caller).
    /// - Throws: `.conflict` when a segment of that name exists.
    public func createSegment(name: String, definition: String) async throws(StoreError) -> StoredSegment {
        try await write("create segment '\(name)'") { db in
            if try Self.segment(named: name, db: db) != nil {
                throw StoreError(.conflict, "a segment named '\(name)' already exists")
            }
            let now = SQLDate.now
            try db.execute(
                sql: "INSERT INTO segment (name, definition, createdAt, updatedAt) VALUES (?, ?, ?, ?)",
                arguments: [name, definition, now, now]
            )
            return try Self.segment(named: name, db: db)!
        }
    }

    /// Replaces the definition of segment `name` (its members change at the next backfill).
    /// - Throws: `.notFound` when there is no such segment.
    public func updateSegment(name: String, definition: String) async throws(StoreError) -> StoredSegment {
        try await write("update segment '\(name)'") { db in
            try db.execute(
                sql: "UPDATE segment SET definition = ?, updatedAt = ? WHERE name = ?",
                arguments: [definition, SQLDate.now, name]
            )
            guard db.changesCount > 0, let segment = try Self.segment(named: name, db: db) else {
                throw StoreError(.notFound, "no segment named '\(name)'")
            }
            return segment
        }
    }

    /// Every segment, by name.
    public func segments() async throws(StoreError) -> [StoredSegment] {
        try await read("list segments") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM segment ORDER BY name").map(Self.storedSegment)
        }
    }

    /// A text that changes whenever a segment is created or its definition replaced (segments are
    /// never deleted): what a cache of parsed definitions is checked against.
    public func segmentTableSignature() async throws(StoreError) -> String {
        try await read("read the segment table signature") { db in
            try String.fetchOne(
                db.cachedStatement(
                    sql:
                        "SELECT count(*) || '/' || coalesce(max(id), 0) || '/' || coalesce(max(updatedAt), '') FROM segment"
                )
            ) ?? ""
        }
    }

    /// The segment called `name`, or `nil`.
    public func segment(named name: String) async throws(StoreError) -> StoredSegment? {
        try await read("read segment '\(name)'") { db in try Self.segment(named: name, db: db) }
    }

    /// The current members of segment `id`, in id order.
    public func segmentMembers(segmentId id: Int64) async throws(StoreError) -> [Int64] {
        try await read("read segment members") { db in
            try Int64.fetchAll(
                db,
                sql:
                    "SELECT customerId FROM segmentMembership WHERE segmentId = ? AND exitedAt IS NULL ORDER BY customerId",
                arguments: [id]
            )
        }
    }

    /// A page of the current members of segment `id`: at most `limit` customer ids greater than
    /// `after`, in id order (keyset pagination: pass the last id of a page as the next `after`).
    public func segmentMembers(segmentId id: Int64, after: Int64?, limit: Int) async throws(StoreError) -> [Int64] {
        try await read("read a page of segment members") { db in
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT customerId FROM segmentMembership WHERE segmentId = ? AND exitedAt IS NULL AND customerId > ?
                    ORDER BY customerId LIMIT ?
                    """,
                arguments: [id, after ?? Int64.min, limit]
            )
        }
    }

    /// The number of current members of each segment that has any, by segment id.
    public func segmentMemberCounts() async throws(StoreError) -> [Int64: Int] {
        try await read("count segment members") { db in
            var counts: [Int64: Int] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT id, memberCount FROM segment WHERE memberCount > 0"
            ) {
                counts[row[0]] = row[1]
            }
            return counts
        }
    }

    /// Every stay of customer `id` in a segment, oldest first.
    public func segmentHistory(customer id: Int64) async throws(StoreError) -> [SegmentStay] {
        try await read("read segment history") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT segment.name, m.enteredAt, m.exitedAt FROM segmentMembership AS m
                    JOIN segment ON segment.id = m.segmentId WHERE m.customerId = ? ORDER BY m.enteredAt, m.id
                    """,
                arguments: [id]
            )
            .map { SegmentStay(segment: $0[0], enteredAt: $0[1], exitedAt: $0[2]) }
        }
    }

    /// The number of current customers (not merged into another) for which `predicate` holds; the
    /// predicate is SQL over the row `customer` with bound `arguments`.
    package func countCustomers(where predicate: String, arguments: [DatabaseValue]) async throws(StoreError) -> Int {
        try await read("count the customers of a condition") { db in
            try Int.fetchOne(
                db,
                sql: "SELECT count(*) FROM customer WHERE customer.mergedInto IS NULL AND (\(predicate))",
                arguments: StatementArguments(arguments)
            ) ?? 0
        }
    }

    /// Makes the current members of segment `segmentId` exactly the current customers for which
    /// `predicate` holds: new ones enter at `time`, members who no longer qualify exit at `time`
    /// (their rows stay as history). Conditions on other segments read the memberships as they
    /// were before this call.
    package func refreshSegmentMembership(
        segmentId: Int64,
        where predicate: String,
        arguments: [DatabaseValue],
        at time: Date
    ) async throws(StoreError) -> SegmentMembershipChange {
        try await write("backfill segment \(segmentId)") { db in
            try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS segmentMatch (customerId INTEGER PRIMARY KEY)")
            defer { try? db.execute(sql: "DELETE FROM segmentMatch") }
            try db.execute(
                sql: """
                    INSERT INTO segmentMatch (customerId)
                    SELECT customer.id FROM customer WHERE customer.mergedInto IS NULL AND (\(predicate))
                    """,
                arguments: StatementArguments(arguments)
            )
            let exited = try Int64.fetchAll(
                db,
                sql: """
                    UPDATE segmentMembership SET exitedAt = ?
                    WHERE segmentId = ? AND exitedAt IS NULL AND customerId NOT IN (SELECT customerId FROM segmentMatch)
                    RETURNING customerId
                    """,
                arguments: [SQLDate(time), segmentId]
            )
            let entered = try Int64.fetchAll(
                db,
                sql: """
                    INSERT INTO segmentMembership (segmentId, customerId, enteredAt)
                    SELECT ?, customerId, ? FROM segmentMatch WHERE customerId NOT IN
                        (SELECT customerId FROM segmentMembership WHERE segmentId = ? AND exitedAt IS NULL)
                    RETURNING customerId
                    """,
                arguments: [segmentId, SQLDate(time), segmentId]
            )
            let members = try Int.fetchOne(db, sql: "SELECT count(*) FROM segmentMatch") ?? 0
            try db.execute(sql: "UPDATE segment SET memberCount = ? WHERE id = ?", arguments: [members, segmentId])
            try Self.fireSegmentTriggers(
                db,
                segmentId: segmentId,
                entered: entered.sorted(),
                exited: exited.sorted(),
                at: time
            )
            return SegmentMembershipChange(entered: entered.sorted(), exited: exited.sorted(), members: members)
        }
    }

    /// Records the in-memory evaluation of several segments for some customers (the real-time path)
    /// in one transaction: of the customers a segment was evaluated for, those in its members become
    /// current members (entering at `time` unless they already are) and the others stop being
    /// members (exiting at `time`); nobody else changes, so a customer whose membership was not
    /// evaluated keeps what a concurrent backfill gave it. Segments whose members did not change are
    /// not written. Memberships are derived data (a backfill recomputes them), so the commit skips
    /// the fsync.
    /// - Parameters:
    ///   - customers: every customer of the evaluations.
    ///   - evaluations: per segment, the customers it was evaluated for and those found members.
    /// - Returns: the change of each segment that changed, by segment id.
    package func recordSegmentEvaluations(
        customers: [Int64],
        evaluations: [(segmentId: Int64, evaluated: Set<Int64>, members: Set<Int64>)],
        at time: Date
    ) async throws(StoreError) -> [Int64: SegmentMembershipChange] {
        try await writeWithoutFsync("record segment members") { db in
            try Self.recordSegmentEvaluations(db, customers: customers, evaluations: evaluations, at: time)
        }
    }

    /// ``recordSegmentEvaluations(customers:evaluations:at:)`` in the transaction of `db` (a
    /// processing step's, for the real-time path).
    package static func recordSegmentEvaluations(
        _ db: Database,
        customers: [Int64],
        evaluations: [(segmentId: Int64, evaluated: Set<Int64>, members: Set<Int64>)],
        at time: Date
    ) throws -> [Int64: SegmentMembershipChange] {
        var current: [Int64: Set<Int64>] = [:]
        for row in try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT segmentId, customerId FROM segmentMembership
                    WHERE exitedAt IS NULL AND customerId IN (SELECT value FROM json_each(?))
                    """
            ),
            arguments: ["[" + customers.map(String.init).joined(separator: ",") + "]"]
        ) {
            current[row[0], default: []].insert(row[1])
        }
        var changes: [Int64: SegmentMembershipChange] = [:]
        for (segmentId, evaluated, members) in evaluations {
            let before = (current[segmentId] ?? []).intersection(evaluated)
            let entered = members.subtracting(before).sorted()
            let exited = before.subtracting(members).sorted()
            guard !entered.isEmpty || !exited.isEmpty else { continue }
            for customer in exited {
                try db.executeCached(
                    sql: """
                        UPDATE segmentMembership SET exitedAt = ? WHERE segmentId = ? AND customerId = ? AND exitedAt IS NULL
                        """,
                    arguments: [SQLDate(time), segmentId, customer]
                )
            }
            for customer in entered {
                try db.executeCached(
                    sql: "INSERT INTO segmentMembership (segmentId, customerId, enteredAt) VALUES (?, ?, ?)",
                    arguments: [segmentId, customer, SQLDate(time)]
                )
            }
            try Self.fireSegmentTriggers(db, segmentId: segmentId, entered: entered, exited: exited, at: time)
            let count =
                try Int.fetchOne(
                    db.cachedStatement(
                        sql: "UPDATE segment SET memberCount = memberCount + ? WHERE id = ? RETURNING memberCount"
                    ),
                    arguments: [entered.count - exited.count, segmentId]
                ) ?? 0
            changes[segmentId] = SegmentMembershipChange(entered: entered, exited: exited, members: count)
        }
        return changes
    }

    /// Runs `body` on a read-only connection, for engines that read the customer tables directly.
    package func readCustomerData<T: Sendable>(
        _ what: String,
        _ body: @Sendable @escaping (Database) throws -> T
    ) async throws(StoreError) -> T {
        try await read(what, body)
    }

    static func segment(named name: String, db: Database) throws -> StoredSegment? {
        try Row.fetchOne(db, sql: "SELECT * FROM segment WHERE name = ?", arguments: [name]).map(storedSegment)
    }

    static func storedSegment(_ row: Row) -> StoredSegment {
        StoredSegment(
            id: row["id"],
            name: row["name"],
            definition: row["definition"],
            createdAt: row["createdAt"],
            updatedAt: row["updatedAt"]
        )
    }
}

/// One stay of a customer in a segment.
public struct SegmentStay: Sendable, Hashable, Codable {
    /// The segment's name.
    public var segment: String
    /// When the customer entered.
    public var enteredAt: Date
    /// When the customer left, or `nil` while a member.
    public var exitedAt: Date?
}
