import Foundation
import GRDB

/// One customer in a value snapshot.
public struct SnapshotEntry: Sendable, Hashable {
    /// The customer.
    public var customerId: Int64
    /// P(alive) as of the snapshot day.
    public var probabilityAlive: Double
    /// Discounted 3-year CLV as of the snapshot day.
    public var lifetimeValue3Years: Double
    /// Value decile.
    public var valueDecile: Int
    /// Tier.
    public var tier: String

    /// Creates an entry.
    public init(
        customerId: Int64,
        probabilityAlive: Double,
        lifetimeValue3Years: Double,
        valueDecile: Int,
        tier: String
    ) {
        self.customerId = customerId
        self.probabilityAlive = probabilityAlive
        self.lifetimeValue3Years = lifetimeValue3Years
        self.valueDecile = valueDecile
        self.tier = tier
    }
}

/// A stored value snapshot.
public struct ValueSnapshot: Sendable, Hashable, Codable {
    /// Its id.
    public var id: Int64
    /// The as-of day (days since 1970-01-01).
    public var asOfDay: Int
    /// The model version fitted on the data up to that day.
    public var modelVersionId: Int64
    /// Customers valued.
    public var customers: Int
    /// Σ discounted 3-year CLV.
    public var lifetimeValue3Years: Double
}

/// What changed between two snapshots.
public struct SnapshotTransition: Sendable, Hashable, Codable {
    /// Customers in the later snapshot only.
    public var newCustomers: Int
    /// Their value in the later snapshot.
    public var newCustomerValue: Double
    /// Customers likely active (P(alive) ≥ 0.5) before and not after.
    public var churnedCustomers: Int
    /// Their value in the earlier snapshot.
    public var churnedValue: Double
    /// Customers of value decile ≥ 8 before whose P(alive) fell by 0.1 or more.
    public var atRiskCustomers: Int
    /// Their value in the earlier snapshot.
    public var valueAtRisk: Double
    /// Customers by (tier before, tier after), for customers in both.
    public var tierMoves: [String: [String: Int]]
}

extension SQLiteStore {
    /// Saves a snapshot as of `asOfDay`, replacing an earlier one of the same day.
    /// - Returns: the snapshot's id.
    @discardableResult
    public func saveSnapshot(
        asOfDay: Int,
        modelVersionId: Int64,
        entries: [SnapshotEntry]
    ) async throws(StoreError)
        -> Int64
    {
        try await writeWithoutFsync("save a snapshot") { db in
            try db.execute(sql: "DELETE FROM valueSnapshot WHERE asOfDay = ?", arguments: [asOfDay])
            try db.execute(
                sql: """
                    INSERT INTO valueSnapshot (asOfDay, modelVersionId, createdAt, customers, lifetimeValue3Years)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [
                    asOfDay, modelVersionId, SQLDate.now, entries.count,
                    entries.reduce(0) { $0 + $1.lifetimeValue3Years },
                ]
            )
            let id = db.lastInsertedRowID
            let insert = try BoundStatement(
                db,
                sql: """
                    INSERT INTO customerSnapshot (snapshotId, customerId, probabilityAlive, lifetimeValue3Years, valueDecile, tier)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """
            )
            for entry in entries.sorted(by: { $0.customerId < $1.customerId }) {
                insert.bind(id, at: 1)
                insert.bind(entry.customerId, at: 2)
                insert.bind(entry.probabilityAlive, at: 3)
                insert.bind(entry.lifetimeValue3Years, at: 4)
                insert.bind(Int64(entry.valueDecile), at: 5)
                insert.bind(entry.tier, at: 6)
                try insert.execute()
            }
            return id
        }
    }

    /// The stored snapshots, oldest first.
    public func snapshots() async throws(StoreError) -> [ValueSnapshot] {
        try await read("list snapshots") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM valueSnapshot ORDER BY asOfDay").map { row in
                ValueSnapshot(
                    id: row["id"],
                    asOfDay: row["asOfDay"],
                    modelVersionId: row["modelVersionId"],
                    customers: row["customers"],
                    lifetimeValue3Years: row["lifetimeValue3Years"]
                )
            }
        }
    }

    /// One customer's entry in snapshot `snapshotId`, or `nil`.
    public func snapshotEntry(snapshotId: Int64, customerId: Int64) async throws(StoreError) -> SnapshotEntry? {
        try await read("read a snapshot") { db in
            try Row.fetchOne(
                db,
                sql: "SELECT * FROM customerSnapshot WHERE snapshotId = ? AND customerId = ?",
                arguments: [snapshotId, customerId]
            )
            .map { row in
                SnapshotEntry(
                    customerId: row["customerId"],
                    probabilityAlive: row["probabilityAlive"],
                    lifetimeValue3Years: row["lifetimeValue3Years"],
                    valueDecile: row["valueDecile"],
                    tier: row["tier"]
                )
            }
        }
    }

    /// What changed from snapshot `earlier` to snapshot `later`, computed in SQL.
    public func snapshotTransition(from earlier: Int64, to later: Int64) async throws(StoreError) -> SnapshotTransition
    {
        try await read("compare snapshots") { db in
            let arguments: StatementArguments = ["earlier": earlier, "later": later]
            let newCustomers = try Row.fetchOne(
                db,
                sql: """
                    SELECT count(*), coalesce(sum(b.lifetimeValue3Years), 0) FROM customerSnapshot b
                    WHERE b.snapshotId = :later AND NOT EXISTS (
                        SELECT 1 FROM customerSnapshot a WHERE a.snapshotId = :earlier AND a.customerId = b.customerId)
                    """,
                arguments: arguments
            )
            let changes = try Row.fetchOne(
                db,
                sql: """
                    SELECT
                        coalesce(sum(a.probabilityAlive >= 0.5 AND b.probabilityAlive < 0.5), 0),
                        coalesce(sum(CASE WHEN a.probabilityAlive >= 0.5 AND b.probabilityAlive < 0.5 THEN a.lifetimeValue3Years END), 0),
                        coalesce(sum(a.valueDecile >= 8 AND b.probabilityAlive <= a.probabilityAlive - 0.1), 0),
                        coalesce(sum(CASE WHEN a.valueDecile >= 8 AND b.probabilityAlive <= a.probabilityAlive - 0.1 THEN a.lifetimeValue3Years END), 0)
                    FROM customerSnapshot a JOIN customerSnapshot b ON b.customerId = a.customerId AND b.snapshotId = :later
                    WHERE a.snapshotId = :earlier
                    """,
                arguments: arguments
            )
            var moves: [String: [String: Int]] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT a.tier, b.tier, count(*) FROM customerSnapshot a
                    JOIN customerSnapshot b ON b.customerId = a.customerId AND b.snapshotId = :later
                    WHERE a.snapshotId = :earlier GROUP BY a.tier, b.tier
                    """,
                arguments: arguments
            ) {
                moves[row[0], default: [:]][row[1]] = row[2]
            }
            return SnapshotTransition(
                newCustomers: newCustomers?[0] ?? 0,
                newCustomerValue: newCustomers?[1] ?? 0,
                churnedCustomers: changes?[0] ?? 0,
                churnedValue: changes?[1] ?? 0,
                atRiskCustomers: changes?[2] ?? 0,
                valueAtRisk: changes?[3] ?? 0,
                tierMoves: moves
            )
        }
    }
}
