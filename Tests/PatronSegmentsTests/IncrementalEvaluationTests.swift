import Foundation
import PatronCore
import PatronSegments
import PatronStorage
import Testing

/// The real-time path in each processing step evaluates only the segments a change can move and
/// counts events from the in-memory windows; it must record exactly what evaluating every segment
/// from the store records. After random steps of events (late and future ones included), traits,
/// anonymous visitors merged into users, a split, and a segment added part way, the SQL backfill
/// finds nothing to change. Also when the steps are read ahead as the server runs them: the next
/// step's events read before a step is written.
struct IncrementalEvaluationTests {
    @Test(arguments: [(5, false), (6, false), (7, false), (5, true), (8, true), (9, true)] as [(UInt64, Bool)])
    func stepsRecordWhatTheBackfillWould(seed: UInt64, readAhead: Bool) async throws {
        var data = RandomSegmentData(seed: seed)
        let test = try SegmentTestStore()
        let now = SegmentTestStore.now
        try await test.createBaseSegments(window: SegmentDuration("30d"))
        for index in 0..<6 {
            _ = try await test.store.createSegment(name: "random-\(index)", condition: data.condition(depth: 3))
        }
        let cache = SegmentDefinitionCache()
        let windows = CustomerEventWindows()
        var moves = 0
        var largestWindows = 0
        for round in 0..<8 {
            var events: [JSONValue] = []
            for _ in 0..<30 {
                let user = "u\(Int.random(in: 0..<12, using: &data.random))"
                let visitor = "v\(Int.random(in: 0..<24, using: &data.random))"
                switch Int.random(in: 0..<8, using: &data.random) {
                case 0: events.append(SegmentTestStore.identify(user, data.traits()))
                case 1: events.append(Self.event(["type": "identify", "userId": user, "anonymousId": visitor]))
                case 2, 3:
                    let name = data.pick(RandomSegmentData.eventNames)
                    events.append(Self.track(["anonymousId": .string(visitor)], name, millisecondsAgo: data.eventAge()))
                default:
                    let name = data.pick(RandomSegmentData.eventNames)
                    events.append(Self.track(["userId": .string(user)], name, millisecondsAgo: data.eventAge()))
                }
            }
            try await test.ingest(events)
            moves += try await Self.steps(test, data: &data, cache: cache, windows: windows, readAhead: readAhead)
            largestWindows = max(largestWindows, windows.count)
            // The counts the steps kept are the members' (checked before the backfill sets them).
            var counted: [Int64: Int] = [:]
            for definition in try await test.store.segmentDefinitions() {
                let members = try await test.store.segmentMembers(named: definition.name).count
                if members > 0 { counted[definition.id] = members }
            }
            #expect(try await test.store.segmentMemberCounts() == counted, "round \(round)")
            let backfill = try await test.store.backfillSegments(at: now)
            for (name, change) in backfill.sorted(by: { $0.key < $1.key }) {
                #expect(change.entered.isEmpty && change.exited.isEmpty, "round \(round), segment \(name): \(change)")
            }
            if round == 2 {
                // A segment added part way changes what the windows keep: they start over.
                _ = try await test.store.createSegment(
                    name: "late",
                    condition: .eventCount(EventCountCondition(name: "C", count: 1, inLast: SegmentDuration("90d")))
                )
                _ = try await test.store.backfillSegments(at: now)
            }
            if round == 4 {
                // Undo a merge (as `patron identity split` would, from any process): both customers leave
                // the windows at the next step; the backfill brings their memberships up to date.
                let user = try await test.customer("u\(round)")
                let merges = try await test.store.identityAudit(customer: user).filter {
                    $0.action == "merge" && $0.undoneAt == nil
                }
                if let merge = merges.first { _ = try await test.store.splitMerge(auditId: merge.id) }
                _ = try await test.store.backfillSegments(at: now)
            }
        }
        // The random steps moved customers in and out, and the windows served later steps.
        #expect(moves >= 10)
        #expect(largestWindows >= 10)
    }

    /// Processes everything pending in steps of random sizes, each with its segments; with
    /// `readAhead`, in the order of the server (`ProcessingService`): each step's successor is read
    /// before the step is written.
    /// - Returns: the entries and exits recorded.
    static func steps(
        _ test: SegmentTestStore,
        data: inout RandomSegmentData,
        cache: SegmentDefinitionCache,
        windows: CustomerEventWindows,
        readAhead: Bool
    ) async throws -> Int {
        var moves = 0
        var next: PendingEvents?
        while true {
            let limit = Int.random(in: 1...12, using: &data.random)
            var pending = next ?? .none
            if pending.isEmpty { pending = try await test.store.pendingEvents(limit: limit) }
            next = nil
            if readAhead, let last = pending.lastEventId {
                next = try await test.store.pendingEvents(after: last, limit: limit)
            }
            let step = try await test.store.process(
                pending,
                evaluatingSegments: cache,
                windows: windows,
                at: SegmentTestStore.now
            )
            guard step.outcome.events > 0 else { return moves }
            moves += try step.segments?.get().entriesAndExits ?? 0
        }
    }

    @Test func windowsStartOverWhenAStepDoesNotFollowTheLast() async throws {
        let test = try SegmentTestStore()
        _ = try await test.store.createSegment(
            name: "twice",
            condition: .eventCount(EventCountCondition(name: "A", count: 2, inLast: SegmentDuration("1d")))
        )
        let server = RealtimeSteps(test: test)
        _ = try await server.step(SegmentTestStore.track("u1", "A", millisecondsAgo: 60_000))
        #expect(server.windows.count == 1)
        // Another process turns the next event into customer data: this one never sees its step.
        try await test.send([SegmentTestStore.track("u1", "A", millisecondsAgo: 30_000)])
        _ = try await server.step(SegmentTestStore.track("u2", "B", millisecondsAgo: 30_000))
        #expect(server.windows.count == 1, "only u2 is kept after starting over")
        // u1's next event is counted with both earlier ones, read from the store.
        let changes = try await server.step(SegmentTestStore.track("u1", "A", millisecondsAgo: 10_000))
        #expect(changes["twice"]?.entered == [try await test.customer("u1")])
    }

    /// A customer whose data changed outside the steps this process saw (here another process
    /// processed its identify) is not kept in the windows, so its next event re-evaluates every segment,
    /// not only those on that event's name.
    @Test func aCustomerNotKeptGetsEverySegment() async throws {
        let test = try SegmentTestStore()
        _ = try await test.store.createSegment(
            name: "pro",
            condition: .trait(key: "plan", Comparison(.eq, [.string("pro")]))
        )
        _ = try await test.store.createSegment(name: "viewers", condition: .eventCount(EventCountCondition(name: "A")))
        let server = RealtimeSteps(test: test)
        _ = try await server.step(SegmentTestStore.track("u1", "A", millisecondsAgo: 60_000))
        try await test.send([SegmentTestStore.identify("u1", .object(["plan": .string("pro")]))])
        let changes = try await server.step(SegmentTestStore.track("u1", "A", millisecondsAgo: 10_000))
        #expect(changes["pro"]?.entered == [try await test.customer("u1")])
    }

    /// A step records only the memberships it evaluated: one that a backfill changed meanwhile (between
    /// the step's read and its write) is left as the backfill made it.
    @Test func aStepLeavesMembershipsItDidNotEvaluate() async throws {
        let test = try SegmentTestStore()
        try await test.send([SegmentTestStore.identify("u1", .object(["plan": .string("pro")]))])
        let segment = try await test.store.createSegment(
            name: "pro",
            condition: .trait(key: "plan", Comparison(.eq, [.string("pro")]))
        )
        _ = try await test.store.backfillSegments(at: SegmentTestStore.now)
        let customer = try await test.customer("u1")
        let untouched = try await test.store.recordSegmentEvaluations(
            customers: [customer],
            evaluations: [(segment.id, evaluated: [], members: [])],
            at: SegmentTestStore.now
        )
        #expect(untouched.isEmpty)
        #expect(try await test.store.segmentMembers(named: "pro") == [customer])
        let evaluated = try await test.store.recordSegmentEvaluations(
            customers: [customer],
            evaluations: [(segment.id, evaluated: [customer], members: [])],
            at: SegmentTestStore.now
        )
        #expect(evaluated[segment.id]?.exited == [customer])
    }

    /// A `track` event of `name` by the given ids, `ago` milliseconds before the test's now.
    static func track(_ ids: [String: JSONValue], _ name: String, millisecondsAgo ago: Int64) -> JSONValue {
        let time = Date(timeIntervalSince1970: Double(CustomerFacts.milliseconds(SegmentTestStore.now) - ago) / 1000)
        var fields = ids
        fields["type"] = .string("track")
        fields["event"] = .string(name)
        fields["messageId"] = .string(UUID().uuidString)
        fields["timestamp"] = .string(SegmentTimestamp.format(time))
        return .object(fields)
    }

    /// An event with the given string fields and a new message id.
    static func event(_ fields: [String: String]) -> JSONValue {
        var object = fields.mapValues(JSONValue.string)
        object["messageId"] = .string(UUID().uuidString)
        object["timestamp"] = .string("2025-01-01T00:00:00.000Z")
        return .object(object)
    }
}

/// What `patron serve` does for each processing step: process one event and evaluate its customer's
/// segments in real time, with definitions and event windows kept between steps.
struct RealtimeSteps {
    let test: SegmentTestStore
    let cache = SegmentDefinitionCache()
    let windows = CustomerEventWindows()

    /// Stores `event`, processes it, and evaluates the segments at the test's now.
    func step(_ event: JSONValue) async throws -> [String: SegmentMembershipChange] {
        try await test.ingest([event])
        let step = try await test.processPending(limit: 500, cache: cache, windows: windows)
        return try step.segments?.get() ?? [:]
    }
}
