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
        // `?1` is a JSON array of customer ids when some are chosen. Separate SQL for "all" and
        // "these" (not `?1 IS NULL OR …`, which SQLite can only answer by scanning whole tables).
        func chosen(_ column: String = "customerId") -> String {
            selection == nil ? "1" : "\(column) IN (SELECT value FROM json_each(?1))"
        }
        let first: StatementArguments = selection.map { [$0] } ?? []
        var facts: [Int64: CustomerFacts] = [:]
        for id in try Int64.fetchAll(
            db.cachedStatement(sql: "SELECT id FROM customer WHERE mergedInto IS NULL AND \(chosen("id"))"),
            arguments: first
        ) {
            facts[id] = CustomerFacts(customerId: id, now: now)
        }
        let traits = try Row.fetchCursor(
            db.cachedStatement(sql: "SELECT customerId, key, value FROM trait WHERE \(chosen())"),
            arguments: first
        )
        while let row = try traits.next() {
            guard let text = row[2] as String?, let value = try? JSONValue.parse(Data(text.utf8)) else { continue }
            facts[row[0]]?.traits[row[1]] = value
        }
        var window: StatementArguments = [SegmentSQLFunctions.storedText(milliseconds: now)]
        if let lookback {
            _ = window.append(contentsOf: [SegmentSQLFunctions.storedText(milliseconds: now - lookback)])
        }
        let events = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT customerId, name, timestamp FROM event
                    WHERE \(chosen()) AND type = 'track' AND customerId IS NOT NULL AND name IS NOT NULL
                    AND timestamp <= ? \(lookback == nil ? "" : "AND timestamp >= ?") ORDER BY timestamp, id
                    """
            ),
            arguments: selection.map { [$0] + window } ?? window
        )
        while let row = try events.next() {
            guard let time = SegmentSQLFunctions.milliseconds(ofTime: row[2]) else { continue }
            facts[row[0]]?.events[row[1], default: []].append(time)
        }
        let scores = try Row.fetchCursor(
            db.cachedStatement(sql: "SELECT * FROM customerScore WHERE \(chosen())"),
            arguments: first
        )
        while let row = try scores.next() {
            for field in ScoreField.allCases {
                facts[row["customerId"]]?.scores[field] =
                    field.isText ? .string(row[field.rawValue]) : .number(row[field.rawValue])
            }
        }
        let memberships = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT customerId, segment.name FROM segmentMembership JOIN segment ON segment.id = segmentId
                    WHERE exitedAt IS NULL AND \(chosen())
                    """
            ),
            arguments: first
        )
        while let row = try memberships.next() {
            facts[row[0]]?.segments.insert(row[1])
        }
        return facts.values.sorted { $0.customerId < $1.customerId }
    }
}
