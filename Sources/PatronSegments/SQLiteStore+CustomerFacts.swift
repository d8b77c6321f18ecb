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
        let selection = customers.map { jsonIdList($0) }
        return try await segmentStore { () throws(StoreError) in
            try await readCustomerData("read customer facts") { db in
                try Self.customerFacts(db: db, now: now, selection: selection, lookback: lookback, events: .all)
            }
        }
    }

    /// The facts of `customers` at `now` (milliseconds) for the real-time engine, read through `db`
    /// with the event times from `windows` (already brought up to the step) where they keep them; the
    /// other customers' times are read and kept there.
    /// - Returns: the facts, and the customers the windows did not keep.
    static func customerFacts(
        db: Database,
        now: Int64,
        customers: [Int64],
        plan: RealtimeSegmentPlan,
        windows: CustomerEventWindows
    ) throws -> (facts: [CustomerFacts], notKept: Set<Int64>) {
        let (known, missing) = windows.times(of: customers, now: now, lookback: plan.lookback)
        let read = EventRead.windows(
            customers: jsonIdList(missing),
            names: Self.jsonArray(plan.eventNames.sorted())
        )
        var facts = try Self.customerFacts(
            db: db,
            now: now,
            selection: jsonIdList(customers),
            lookback: plan.lookback,
            events: read
        )
        var loaded: [Int64: [String: [Int64]]] = [:]
        for index in facts.indices {
            let customer = facts[index].customerId
            if let times = known[customer] {
                facts[index].events = times
            } else {
                loaded[customer] = facts[index].events
            }
        }
        windows.remember(loaded)
        return (facts, Set(missing))
    }

    /// Which event times the facts read.
    enum EventRead {
        /// Every `track` event of the chosen customers within the look-back, later ones included (a
        /// count without a window counts a future-dated event at once).
        case all
        /// Only those of `customers` and of `names` (JSON arrays), within the look-back, later ones included.
        case windows(customers: String, names: String)
    }

    static func jsonArray(_ names: [String]) -> String {
        JSONValue.array(names.map(JSONValue.string)).jsonText
    }

    static func customerFacts(
        db: Database,
        now: Int64,
        selection: String?,
        lookback: Int64?,
        events read: EventRead
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
        let start = lookback.map { SegmentSQLFunctions.storedText(milliseconds: now - $0) }
        // Some customers' events by customer, never through the index of all track events by time.
        let byCustomer = "INDEXED BY eventByCustomer"
        let events: RowCursor
        switch read {
        case .all:
            let window: StatementArguments = start.map { [$0] } ?? []
            events = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT customerId, name, timestamp FROM event \(selection == nil ? "" : byCustomer)
                        WHERE \(chosen()) AND type = 'track' AND customerId IS NOT NULL AND name IS NOT NULL
                        \(start == nil ? "" : "AND timestamp >= ?") ORDER BY timestamp, id
                        """
                ),
                arguments: selection.map { [$0] + window } ?? window
            )
        case .windows(let customers, let names):
            events = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT customerId, name, timestamp FROM event \(byCustomer)
                        WHERE customerId IN (SELECT value FROM json_each(?)) AND type = 'track'
                        AND name IN (SELECT value FROM json_each(?)) \(start == nil ? "" : "AND timestamp >= ?")
                        ORDER BY timestamp, id
                        """
                ),
                arguments: [customers, names] + (start.map { [$0] } ?? [])
            )
        }
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
