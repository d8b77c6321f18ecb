public import Foundation
import GRDB
public import PatronStorage

extension SQLiteStore {
    /// Stores a new segment after checking that the segments its condition refers to exist.
    /// - Throws: ``SegmentError``: `.conflict` for a name in use, `.notFound` for an unknown
    ///   referenced segment, `.invalidDefinition` for a condition that refers to itself.
    public func createSegment(
        name: String,
        condition: SegmentCondition
    ) async throws(SegmentError) -> SegmentDefinition {
        try await checkReferences(of: condition, in: name)
        let stored = try await segmentStore { () throws(StoreError) in
            try await createSegment(name: name, definition: condition.jsonText)
        }
        return try SegmentDefinition(stored)
    }

    /// Replaces the condition of segment `name`; members change at the next backfill.
    /// - Throws: ``SegmentError`` (`.notFound`, `.invalidDefinition`).
    public func updateSegment(
        name: String,
        condition: SegmentCondition
    ) async throws(SegmentError) -> SegmentDefinition {
        try await checkReferences(of: condition, in: name)
        let stored = try await segmentStore { () throws(StoreError) in
            try await updateSegment(name: name, definition: condition.jsonText)
        }
        return try SegmentDefinition(stored)
    }

    /// Every segment with its condition, by name.
    public func segmentDefinitions() async throws(SegmentError) -> [SegmentDefinition] {
        var definitions: [SegmentDefinition] = []
        for stored in try await segmentStore({ () throws(StoreError) in try await segments() }) {
            definitions.append(try SegmentDefinition(stored))
        }
        return definitions
    }

    /// The segment called `name`.
    /// - Throws: ``SegmentError`` with code `.notFound` when there is none.
    public func segmentDefinition(named name: String) async throws(SegmentError) -> SegmentDefinition {
        guard let stored = try await segmentStore({ () throws(StoreError) in try await segment(named: name) }) else {
            throw SegmentError(.notFound, "no segment named '\(name)'")
        }
        return try SegmentDefinition(stored)
    }

    /// How many current customers satisfy `condition` at `time` (through the compiled SQL; no
    /// membership is written).
    public func previewCount(of condition: SegmentCondition, at time: Date = Date()) async throws(SegmentError) -> Int {
        let compiled = condition.compiled(now: CustomerFacts.milliseconds(time))
        return try await segmentStore { () throws(StoreError) in
            try await countCustomers(where: compiled.predicate, arguments: compiled.arguments)
        }
    }

    /// The current customers who satisfy `condition` at `time` (through the compiled SQL), in id order.
    public func customers(
        satisfying condition: SegmentCondition,
        at time: Date = Date()
    ) async throws(SegmentError) -> [Int64] {
        let compiled = condition.compiled(now: CustomerFacts.milliseconds(time))
        return try await segmentStore { () throws(StoreError) in
            try await readCustomerData("select the customers of a condition") { db in
                try Int64.fetchAll(
                    db,
                    sql: """
                        SELECT customer.id FROM customer WHERE customer.mergedInto IS NULL AND (\(compiled.predicate))
                        ORDER BY customer.id
                        """,
                    arguments: StatementArguments(compiled.arguments)
                )
            }
        }
    }

    /// Evaluates segment `name` over every customer (through the compiled SQL) and records who
    /// entered and who exited.
    /// - Parameter time: the time of the evaluation; `nil`, the default, for now: the time of the
    ///   read, then of the write, which counts what a real-time evaluation in between counted.
    public func backfillSegment(
        named name: String,
        at time: Date? = nil
    ) async throws(SegmentError)
        -> SegmentMembershipChange
    {
        let definition = try await segmentDefinition(named: name)
        let condition = definition.condition
        return try await segmentStore { () throws(StoreError) in
            try await refreshSegmentMembership(
                segmentId: definition.id,
                compiled: { time in
                    let compiled = condition.compiled(now: CustomerFacts.milliseconds(time))
                    return (compiled.predicate, compiled.arguments)
                },
                at: time
            )
        }
    }

    /// Backfills every segment through the compiled SQL, segments that others refer to first: each
    /// segment scans every customer. ``refreshEverySegment(at:busyShare:groupSize:)`` reaches the same
    /// memberships through the in-memory engine, reading each customer once for every segment (the
    /// property tests check that the two agree).
    /// - Parameter time: the time of the evaluation; `nil` for the time of each segment's read and
    ///   write (evaluated at the time the whole backfill started, the last segments would not count
    ///   the events that came in meanwhile, and would take out of a window segment customers that
    ///   such an event had just put in).
    /// - Returns: the change of each segment, by name.
    public func backfillSegments(at time: Date? = nil) async throws(SegmentError) -> [String: SegmentMembershipChange] {
        var changes: [String: SegmentMembershipChange] = [:]
        for definition in SegmentDefinition.dependencyOrder(try await segmentDefinitions()) {
            changes[definition.name] = try await backfillSegment(named: definition.name, at: time)
        }
        return changes
    }

    /// Evaluates every segment in memory for some customers only and records who entered and who
    /// exited, all in one write transaction that also queues the triggers' webhooks (see
    /// ``process(_:rules:evaluatingSegments:windows:at:)`` for the path in each processing step, which
    /// evaluates only what changed).
    /// - Parameters:
    ///   - customers: the customers to re-evaluate (merged-away or unknown ids leave every segment).
    ///   - cache: parsed definitions kept between calls (the server keeps one); `nil` reads them.
    /// - Returns: the change of each segment that changed, by name.
    public func evaluateSegments(
        for customers: [Int64],
        at time: Date = Date(),
        cache: SegmentDefinitionCache? = nil
    ) async throws(SegmentError) -> [String: SegmentMembershipChange] {
        let plan: RealtimeSegmentPlan
        if let cache {
            plan = try await cache.plan(of: self)
        } else {
            plan = RealtimeSegmentPlan(SegmentDefinition.dependencyOrder(try await segmentDefinitions()))
        }
        guard !plan.definitions.isEmpty, !customers.isEmpty else { return [:] }
        let facts = try await customerFacts(at: time, customers: customers, lookback: plan.lookback)
        return try await recordEvaluation(of: plan, facts: facts, customers: customers, at: time) { _ in
            Array(plan.definitions.indices)
        }
    }

    /// Evaluates in memory (``RealtimeSegmentPlan/evaluations(of:customers:due:)``), then records
    /// the memberships that changed and queues their triggers' webhooks in one write transaction.
    /// When no membership changes (most steps), nothing is written and the single writer is not
    /// waited for.
    func recordEvaluation(
        of plan: RealtimeSegmentPlan,
        facts: [CustomerFacts],
        customers: [Int64],
        at time: Date,
        due: (CustomerFacts) -> [Int]
    ) async throws(SegmentError) -> [String: SegmentMembershipChange] {
        let evaluations = plan.evaluations(of: facts, customers: customers, due: due)
        guard !evaluations.isEmpty else { return [:] }
        let changes = try await segmentStore { () throws(StoreError) in
            try await recordSegmentEvaluations(customers: customers, evaluations: evaluations, at: time)
        }
        return plan.byName(changes)
    }

    /// The current members of segment `name`, in id order.
    /// - Throws: ``SegmentError`` with code `.notFound` when there is no such segment.
    public func segmentMembers(named name: String) async throws(SegmentError) -> [Int64] {
        let definition = try await segmentDefinition(named: name)
        return try await segmentStore { () throws(StoreError) in try await segmentMembers(segmentId: definition.id) }
    }

    /// A page of the current members of segment `name`: at most `limit` customer ids greater than
    /// `after`, in id order.
    /// - Throws: ``SegmentError`` with code `.notFound` when there is no such segment.
    public func segmentMembers(named name: String, after: Int64?, limit: Int) async throws(SegmentError) -> [Int64] {
        let definition = try await segmentDefinition(named: name)
        return try await segmentStore { () throws(StoreError) in
            try await segmentMembers(segmentId: definition.id, after: after, limit: limit)
        }
    }

    /// Rejects conditions on unknown segments, and conditions that would make segment `name`
    /// depend on itself (directly or through other segments).
    private func checkReferences(of condition: SegmentCondition, in name: String) async throws(SegmentError) {
        var references: [String: Set<String>] = [:]
        for stored in try await segmentStore({ () throws(StoreError) in try await segments() }) {
            references[stored.name] = (try? SegmentCondition.parse(stored.definition))?.referencedSegments ?? []
        }
        references[name] = condition.referencedSegments
        for reference in condition.referencedSegments.sorted() where references[reference] == nil {
            throw SegmentError(.notFound, "the condition refers to segment '\(reference)', which does not exist")
        }
        // Depth-first from the new condition: reaching `name` again is a cycle.
        var stack: [[String]] = condition.referencedSegments.sorted().map { [name, $0] }
        var visited: Set<String> = []
        while let path = stack.popLast() {
            let last = path[path.count - 1]
            if last == name {
                throw SegmentError(
                    .invalidDefinition,
                    "segment '\(name)' cannot depend on itself: \(path.joined(separator: " → "))"
                )
            }
            guard visited.insert(last).inserted else { continue }
            stack += (references[last] ?? []).sorted().map { path + [$0] }
        }
    }

    /// Runs a store call, turning its errors into ``SegmentError``.
    func segmentStore<T>(_ body: () async throws(StoreError) -> T) async throws(SegmentError) -> T {
        do {
            return try await body()
        } catch {
            throw SegmentError(error)
        }
    }
}

extension SegmentDefinition {
    /// Definitions ordered so that each comes after the segments it refers to (by name otherwise;
    /// a cycle is broken at the first name).
    static func dependencyOrder(_ definitions: [SegmentDefinition]) -> [SegmentDefinition] {
        var remaining = definitions.sorted { $0.name < $1.name }
        var ordered: [SegmentDefinition] = []
        var placed: Set<String> = []
        let names = Set(definitions.map(\.name))
        while !remaining.isEmpty {
            let index =
                remaining.firstIndex { $0.condition.referencedSegments.intersection(names).isSubset(of: placed) } ?? 0
            let next = remaining.remove(at: index)
            ordered.append(next)
            placed.insert(next.name)
        }
        return ordered
    }
}
