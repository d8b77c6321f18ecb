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
        try await read("list segments") { db in try Self.segments(db) }
    }

    /// Every segment, by name, read through `db`.
    package static func segments(_ db: Database) throws -> [StoredSegment] {
        try Row.fetchAll(db, sql: "SELECT * FROM segment ORDER BY name").map(Self.storedSegment)
    }

    /// A text that changes whenever a segment is created or its definition replaced (segments are
    /// never deleted), read through `db`: what a cache of parsed definitions is checked against, in
    /// a processing step's transaction.
    package static func segmentTableSignature(_ db: Database) throws -> String {
        try String.fetchOne(
            db.cachedStatement(
                sql:
                    "SELECT count(*) || '/' || coalesce(max(id), 0) || '/' || coalesce(max(updatedAt), '') FROM segment"
            )
        ) ?? ""
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

    /// A segment's condition compiled to SQL at a time: a predicate over the row `customer` with its
    /// bound arguments.
    package typealias CompiledAt = @Sendable (Date) -> (predicate: String, arguments: [DatabaseValue])

    /// Makes the current members of segment `segmentId` exactly the current customers for which
    /// its condition (`compiled` at the time of the evaluation) holds: new ones enter, members who
    /// no longer qualify exit (their rows stay as history). Conditions on other segments read the
    /// memberships as they were before this call.
    ///
    /// The predicate runs over every customer on a read connection, off the writer: at 80,000
    /// customers and 100 segments, the scheduled refresh held the one writer for ~5 s in a row and
    /// every event waited (BENCHMARKS.md §5). The write transaction then evaluates the predicate
    /// again for the customers whose membership it would change, and changes only those whose
    /// membership still differs: a customer moved in real time in between keeps what that
    /// evaluation, the later one, gave it.
    /// - Parameter time: the time of the evaluation; `nil` for the time of the read and then of the
    ///   write (which then counts the events a real-time evaluation in between counted).
    package func refreshSegmentMembership(
        segmentId: Int64,
        compiled: @escaping CompiledAt,
        at time: Date?
    ) async throws(StoreError) -> SegmentMembershipChange {
        let read = compiled(time ?? Date())
        let candidates = try await segmentMembershipCandidates(
            segmentId: segmentId,
            where: read.predicate,
            arguments: read.arguments
        )
        return try await changeSegmentMembership(segmentId: segmentId, of: candidates, compiled: compiled, at: time)
    }

    /// The customers whose membership of segment `segmentId` differs from `predicate`, in id
    /// order, read on a read connection: the first half of
    /// ``refreshSegmentMembership(segmentId:compiled:at:)``.
    package func segmentMembershipCandidates(
        segmentId: Int64,
        where predicate: String,
        arguments: [DatabaseValue]
    ) async throws(StoreError) -> [Int64] {
        try await read("select the customers of segment \(segmentId)") { db in
            let matching = try Int64.fetchSet(
                db,
                sql: "SELECT customer.id FROM customer WHERE customer.mergedInto IS NULL AND (\(predicate))",
                arguments: StatementArguments(arguments)
            )
            let members = try Int64.fetchSet(
                db,
                sql: "SELECT customerId FROM segmentMembership WHERE segmentId = ? AND exitedAt IS NULL",
                arguments: [segmentId]
            )
            return matching.symmetricDifference(members).sorted()
        }
    }

    /// Of `candidates`, makes those for which the condition holds now current members of segment
    /// `segmentId` and the others not, entering or exiting at the time of the evaluation (`time`, or
    /// when `nil` the write's own), recounts the members and fires the segment's triggers: the
    /// second half of ``refreshSegmentMembership(segmentId:compiled:at:)``.
    package func changeSegmentMembership(
        segmentId: Int64,
        of candidates: [Int64],
        compiled: @escaping CompiledAt,
        at time: Date?
    ) async throws(StoreError) -> SegmentMembershipChange {
        let candidateList = jsonIdList(candidates)
        return try await write("backfill segment \(segmentId)") { db in
            let time = time ?? Date()
            let (predicate, arguments) = compiled(time)
            let matching = try Int64.fetchSet(
                db,
                sql: """
                    SELECT customer.id FROM customer WHERE customer.id IN (SELECT value FROM json_each(?))
                    AND customer.mergedInto IS NULL AND (\(predicate))
                    """,
                arguments: StatementArguments([candidateList.databaseValue] + arguments)
            )
            let members = try Int64.fetchSet(
                db,
                sql: """
                    SELECT customerId FROM segmentMembership
                    WHERE segmentId = ? AND exitedAt IS NULL AND customerId IN (SELECT value FROM json_each(?))
                    """,
                arguments: [segmentId, candidateList]
            )
            let entered = candidates.filter { matching.contains($0) && !members.contains($0) }
            let exited = candidates.filter { !matching.contains($0) && members.contains($0) }
            try db.execute(
                sql: """
                    UPDATE segmentMembership SET exitedAt = ?
                    WHERE segmentId = ? AND exitedAt IS NULL AND customerId IN (SELECT value FROM json_each(?))
                    """,
                arguments: [SQLDate(time), segmentId, jsonIdList(exited)]
            )
            try db.execute(
                sql: """
                    INSERT INTO segmentMembership (segmentId, customerId, enteredAt)
                    SELECT ?, value, ? FROM json_each(?)
                    """,
                arguments: [segmentId, SQLDate(time), jsonIdList(entered)]
            )
            let count =
                try Int.fetchOne(
                    db,
                    sql: "SELECT count(*) FROM segmentMembership WHERE segmentId = ? AND exitedAt IS NULL",
                    arguments: [segmentId]
                ) ?? 0
            try db.execute(sql: "UPDATE segment SET memberCount = ? WHERE id = ?", arguments: [count, segmentId])
            try Self.fireSegmentTriggers(db, segmentId: segmentId, entered: entered, exited: exited, at: time)
            return SegmentMembershipChange(entered: entered, exited: exited, members: count)
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
            arguments: [jsonIdList(customers)]
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

    /// Runs `body` in a write transaction that commits without fsync, for engines that derive
    /// memberships from the customer tables (see ``recordSegmentEvaluations(customers:evaluations:at:)``).
    package func writeSegmentData<T: Sendable>(
        _ what: String,
        _ body: @Sendable @escaping (Database) throws -> T
    ) async throws(StoreError) -> T {
        try await writeWithoutFsync(what, body)
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
