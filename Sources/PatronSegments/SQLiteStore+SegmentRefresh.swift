public import Foundation
import GRDB
import PatronCore
public import PatronStorage

extension SQLiteStore {
    /// How many customers a refresh evaluates per read, and records per write transaction.
    public static let refreshGroupSize = 1_000

    /// Brings segment memberships from `start` (the previous refresh's time) up to `time` for what
    /// the passing of time alone changed, re-evaluating only the customers it can have changed:
    /// those with a stored time that crossed one of the conditions' moving instants in between
    /// (``SegmentTimeCrossings``: an event leaving a window, a future-dated event's time arriving,
    /// a "not followed within 1 h" whose hour passed, a trait date passing `now-30d`). Every
    /// segment is evaluated for them in memory, in dependency order, so segments that refer to a
    /// moved one follow. A full backfill at `time` would then change nothing, provided every new
    /// event and score was evaluated in real time when it was processed (the server's path).
    ///
    /// Each group of customers is evaluated on a read connection first; only those whose
    /// memberships move are evaluated again and recorded in a short write transaction, against
    /// their data as it is then. It reads the events by time through an index, and costs in
    /// proportion to the customers it selects (at 80,000 customers, a minute's refresh ~1/40 of
    /// ``refreshEverySegment(at:busyShare:groupSize:)``).
    /// - Parameter time: the end of the time passed and the time of the evaluation; `nil`, the
    ///   default, for now, with each read and each write evaluating at its own time: a write then
    ///   counts what a real-time evaluation counted just before it (an event processed after the
    ///   read and dated after its time), and leaves the membership that evaluation recorded.
    /// - Returns: the change of each segment that changed, by name.
    public func refreshSegments(
        passedSince start: Date,
        at time: Date? = nil
    ) async throws(SegmentError) -> [String: SegmentMembershipChange] {
        let plan = RealtimeSegmentPlan(SegmentDefinition.dependencyOrder(try await segmentDefinitions()))
        let crossings = plan.definitions.reduce(SegmentTimeCrossings()) { $0.union($1.condition.timeCrossings) }
        let now = CustomerFacts.milliseconds(time ?? Date())
        let from = CustomerFacts.milliseconds(start)
        guard !crossings.isEmpty, now > from else { return [:] }
        let candidates = try await segmentStore { () throws(StoreError) in
            try await readCustomerData("find the customers whose times crossed a segment's window") { db in
                try Self.customers(withTimesCrossing: crossings, from: from, to: now, db: db)
            }
        }
        var remaining = candidates[...]
        return try await refresh(plan: plan, at: time) { () throws(SegmentError) in
            guard !remaining.isEmpty else { return nil }
            defer { remaining = remaining.dropFirst(Self.refreshGroupSize) }
            return Array(remaining.prefix(Self.refreshGroupSize))
        }
    }

    /// Re-evaluates every segment in memory for every customer (and every current member without
    /// one: merged away since, it leaves), a group of ``refreshGroupSize`` customers at a time: what
    /// `patron serve` runs at start and every hour, and what a backfill of every segment runs, to
    /// catch up with what real-time evaluation did not see (a crash, an import or fit without it,
    /// the time while the server was stopped). It reads each customer's data once for every
    /// segment, where ``backfillSegments(at:)`` scans every customer once per segment through the
    /// compiled SQL (at 80,000 customers and 100 segments, ~3 s of a core against ~26 s); each
    /// read and each write is short, so the log can restart meanwhile.
    /// - Parameters:
    ///   - time: the time of the evaluation; `nil`, the default, for the time of each read and each
    ///     write (a refresh that takes a while then counts the events processed meanwhile, and a
    ///     write counts what a real-time evaluation just before it counted).
    ///   - busyShare: the share of the time spent refreshing, between 0 and 1: after each group the
    ///     refresh rests for as long as makes up the rest (1, the default, never rests).
    ///   - groupSize: how many customers each read and each write covers.
    /// - Returns: the change of each segment that changed, by name.
    /// - Throws: ``SegmentError``; `.unavailable` also when the task is cancelled while it rests.
    public func refreshEverySegment(
        at time: Date? = nil,
        busyShare: Double = 1,
        groupSize: Int = refreshGroupSize
    ) async throws(SegmentError) -> [String: SegmentMembershipChange] {
        let plan = RealtimeSegmentPlan(SegmentDefinition.dependencyOrder(try await segmentDefinitions()))
        guard !plan.definitions.isEmpty else { return [:] }
        let size = max(groupSize, 1)
        var last = Int64.min
        var customersDone = false
        return try await refresh(plan: plan, at: time, busyShare: busyShare) { () throws(SegmentError) in
            guard !customersDone else { return nil }
            let after = last
            let group = try await segmentStore { () throws(StoreError) in
                try await readCustomerData("list the customers to refresh") { db in
                    try Int64.fetchAll(
                        db.cachedStatement(
                            sql: "SELECT id FROM customer WHERE mergedInto IS NULL AND id > ? ORDER BY id LIMIT ?"
                        ),
                        arguments: [after, size]
                    )
                }
            }
            last = group.last ?? last
            guard group.count < size else { return group }
            customersDone = true
            let formerCustomers = try await segmentStore { () throws(StoreError) in
                try await readCustomerData("list the segment members without a customer") { db in
                    try Int64.fetchAll(
                        db,
                        sql: """
                            SELECT DISTINCT customerId FROM segmentMembership
                            WHERE exitedAt IS NULL
                            AND customerId NOT IN (SELECT id FROM customer WHERE mergedInto IS NULL)
                            """
                    )
                }
            }
            return group + formerCustomers
        }
    }

    /// Re-evaluates every segment of `plan` for each group of customers that `nextGroup` gives
    /// (until it gives `nil`): on a read connection first, then, for those whose memberships move
    /// (or who have no data, and leave every segment), again in a short write transaction that
    /// records the changes.
    /// - Parameters:
    ///   - time: the time of the evaluation; `nil` for the time of each read and each write.
    ///   - busyShare: see ``refreshEverySegment(at:busyShare:groupSize:)``.
    ///   - afterReading: runs between each group's read and its write (tests interleave events there).
    func refresh(
        plan: RealtimeSegmentPlan,
        at time: Date?,
        busyShare: Double = 1,
        afterReading: () async -> Void = {},
        groups nextGroup: () async throws(SegmentError) -> [Int64]?
    ) async throws(SegmentError) -> [String: SegmentMembershipChange] {
        var changes: [String: SegmentMembershipChange] = [:]
        var refreshed = 0
        let clock = ContinuousClock()
        while let group = try await nextGroup() {
            let started = clock.now
            let facts = try await customerFacts(at: time ?? Date(), customers: group, lookback: plan.lookback)
            let withoutFacts = Set(group).subtracting(facts.map(\.customerId))
            let moving = (plan.customersWhoseMembershipsMove(facts) + withoutFacts).sorted()
            if !moving.isEmpty {
                await afterReading()
                let recorded = try await segmentStore { () throws(StoreError) in
                    try await writeSegmentData("record the refreshed segment members") {
                        db -> [Int64: SegmentMembershipChange] in
                        let time = time ?? Date()
                        let now = CustomerFacts.milliseconds(time)
                        let facts = try Self.customerFacts(
                            db: db,
                            now: now,
                            selection: jsonIdList(moving),
                            lookback: plan.lookback,
                            events: .all
                        )
                        let every = Array(plan.definitions.indices)
                        let evaluations = plan.evaluations(of: facts, customers: moving) { _ in every }
                        guard !evaluations.isEmpty else { return [:] }
                        return try Self.recordSegmentEvaluations(
                            db,
                            customers: moving,
                            evaluations: evaluations,
                            at: time
                        )
                    }
                }
                changes.merge(plan.byName(recorded)) { $0.followed(by: $1) }
            }
            refreshed += group.count
            guard busyShare > 0 && busyShare < 1 else { continue }
            do {
                try await Task.sleep(for: (clock.now - started) * ((1 - busyShare) / busyShare))
            } catch {
                throw SegmentError(.unavailable, "the segment refresh was cancelled after \(refreshed) customers")
            }
        }
        return changes
    }

    /// The customers, in id order, with a stored time `t` and an offset `o` of `crossings` such that
    /// `t + o` is within `from`...`to` (milliseconds since 1970).
    static func customers(
        withTimesCrossing crossings: SegmentTimeCrossings,
        from: Int64,
        to: Int64,
        db: Database
    ) throws -> [Int64] {
        var customers: Set<Int64> = []
        var namesByOffset: [Int64: [String]] = [:]
        for (name, offsets) in crossings.events {
            for offset in offsets { namesByOffset[offset, default: []].append(name) }
        }
        for (offset, names) in namesByOffset {
            // An event dated no later than its receipt was counted at its time by the real-time
            // evaluation that followed its processing; only a future-dated one arrives later.
            let sql =
                offset == 0
                ? """
                SELECT DISTINCT customerId FROM event INDEXED BY futureDatedTrackEvent
                WHERE customerId IS NOT NULL AND type = 'track' AND timestamp > receivedAt
                AND timestamp BETWEEN ? AND ? AND name IN (SELECT value FROM json_each(?))
                """
                : """
                SELECT DISTINCT customerId FROM event INDEXED BY trackEventByTime
                WHERE customerId IS NOT NULL AND type = 'track'
                AND timestamp BETWEEN ? AND ? AND name IN (SELECT value FROM json_each(?))
                """
            customers.formUnion(
                try Int64.fetchAll(
                    db.cachedStatement(sql: sql),
                    arguments: [
                        SegmentSQLFunctions.storedText(milliseconds: from - offset),
                        SegmentSQLFunctions.storedText(milliseconds: to - offset),
                        jsonArray(names.sorted()),
                    ]
                )
            )
        }
        for (key, offsets) in crossings.traits {
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: "SELECT customerId, value FROM trait WHERE key = ?"),
                arguments: [key]
            )
            while let row = try rows.next() {
                guard let text = row[1] as String?, case .string(let date)? = try? JSONValue.parse(Data(text.utf8)),
                    let instant = SegmentSQLFunctions.milliseconds(ofTime: date)
                else { continue }
                if offsets.contains(where: { (from...to).contains(instant + $0) }) { customers.insert(row[0]) }
            }
        }
        return customers.sorted()
    }
}
