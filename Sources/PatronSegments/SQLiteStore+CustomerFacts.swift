public import Foundation
import GRDB
import PatronCore
public import PatronStorage

extension SQLiteStore {
    /// The facts of current customers (not merged into another) at `time`, for the in-memory
    /// evaluator: traits, `track` event times up to `time` and no older than `lookback`
    /// milliseconds (all when `nil`; see ``SegmentCondition/eventLookbackMilliseconds``), the
    /// current score and current segment memberships.
    /// - Parameter customers: only these customers; `nil` for all.
    /// - Returns: facts in customer id order.
    public func customerFacts(
        at time: Date,
        customers: [Int64]? = nil,
        lookback: Int64? = nil
    ) async throws(SegmentError) -> [CustomerFacts] {
        let now = CustomerFacts.milliseconds(time)
        let selection = customers.map { JSONValue.array($0.map { .number(Double($0)) }).jsonText }
        return try await segmentStore { () throws(StoreError) in
            try await readCustomerData("read customer facts") { db in
                try Self.customerFacts(db: db, now: now, selection: selection, lookback: lookback)
            }
        }
    }

    private static func customerFacts(
        db: Database,
        now: Int64,
        selection: String?,
        lookback: Int64?
    ) throws -> [CustomerFacts] {
        // `?1` is a JSON array of customer ids, or NULL for all customers.
        func chosen(_ column: String = "customerId") -> String {
            "(?1 IS NULL OR \(column) IN (SELECT value FROM json_each(?1)))"
        }
        var facts: [Int64: CustomerFacts] = [:]
        for id in try Int64.fetchAll(
            db,
            sql: "SELECT id FROM customer WHERE mergedInto IS NULL AND \(chosen("id"))",
            arguments: [selection]
        ) {
            facts[id] = CustomerFacts(customerId: id, now: now)
        }
        let traits = try Row.fetchCursor(
            db,
            sql: "SELECT customerId, key, value FROM trait WHERE \(chosen())",
            arguments: [selection]
        )
        while let row = try traits.next() {
            guard let text = row[2] as String?, let value = try? JSONValue.parse(Data(text.utf8)) else { continue }
            facts[row[0]]?.traits[row[1]] = value
        }
        let start = lookback.map { SegmentSQLFunctions.storedText(milliseconds: now - $0) }
        let events = try Row.fetchCursor(
            db,
            sql: """
                SELECT customerId, name, timestamp FROM event
                WHERE type = 'track' AND customerId IS NOT NULL AND name IS NOT NULL AND \(chosen())
                AND timestamp <= ?2 AND (?3 IS NULL OR timestamp >= ?3) ORDER BY timestamp, id
                """,
            arguments: [selection, SegmentSQLFunctions.storedText(milliseconds: now), start]
        )
        while let row = try events.next() {
            guard let time = SegmentSQLFunctions.milliseconds(ofTime: row[2]) else { continue }
            facts[row[0]]?.events[row[1], default: []].append(time)
        }
        let scores = try Row.fetchCursor(
            db,
            sql: "SELECT * FROM customerScore WHERE \(chosen())",
            arguments: [selection]
        )
        while let row = try scores.next() {
            for field in ScoreField.allCases {
                facts[row["customerId"]]?.scores[field] =
                    field.isText ? .string(row[field.rawValue]) : .number(row[field.rawValue])
            }
        }
        let memberships = try Row.fetchCursor(
            db,
            sql: """
                SELECT customerId, segment.name FROM segmentMembership JOIN segment ON segment.id = segmentId
                WHERE exitedAt IS NULL AND \(chosen())
                """,
            arguments: [selection]
        )
        while let row = try memberships.next() {
            facts[row[0]]?.segments.insert(row[1])
        }
        return facts.values.sorted { $0.customerId < $1.customerId }
    }
}
