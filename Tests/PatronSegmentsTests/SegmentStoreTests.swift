import Foundation
import PatronCore
import PatronSegments
import PatronStorage
import Testing

/// Segments in the store: definitions, preview counts, backfills that record entries and exits,
/// membership of other segments, and the errors of each call.
struct SegmentStoreTests {
    static let pro = SegmentCondition.trait(key: "plan", Comparison(.eq, [.string("pro")]))

    func makeStore() async throws -> SegmentTestStore {
        let test = try SegmentTestStore()
        try await test.send([
            try SegmentTestStore.identify("ann", #"{"plan":"pro"}"#),
            try SegmentTestStore.identify("bob", #"{"plan":"free"}"#),
            try SegmentTestStore.identify("cat", #"{"plan":"pro"}"#),
        ])
        return test
    }

    @Test func createListAndUpdateKeepTheCanonicalDefinition() async throws {
        let test = try await makeStore()
        let created = try await test.store.createSegment(name: "Pro", condition: Self.pro)
        #expect(created.condition == Self.pro)
        #expect(try await test.store.segment(named: "Pro")?.definition == Self.pro.jsonText)
        let free = SegmentCondition.trait(key: "plan", Comparison(.eq, [.string("free")]))
        let updated = try await test.store.updateSegment(name: "Pro", condition: free)
        #expect(updated.id == created.id)
        #expect(updated.updatedAt >= created.updatedAt)
        #expect(try await test.store.segmentDefinitions().map(\.condition) == [free])
    }

    @Test func previewCountsWithoutWritingMembers() async throws {
        let test = try await makeStore()
        #expect(try await test.store.previewCount(of: Self.pro) == 2)
        #expect(try await test.store.segmentMemberCounts().isEmpty)
    }

    @Test func backfillRecordsEntriesAndExitsAndKeepsHistory() async throws {
        let test = try await makeStore()
        let ann = try await test.customer("ann")
        let bob = try await test.customer("bob")
        let cat = try await test.customer("cat")
        _ = try await test.store.createSegment(name: "Pro", condition: Self.pro)
        let first = try await test.store.backfillSegment(named: "Pro", at: SegmentTestStore.now)
        #expect(first == SegmentMembershipChange(entered: [ann, cat], exited: [], members: 2))
        let again = try await test.store.backfillSegment(named: "Pro", at: SegmentTestStore.now)
        #expect(again == SegmentMembershipChange(entered: [], exited: [], members: 2))

        try await test.send([
            try SegmentTestStore.identify("ann", #"{"plan":"free"}"#),
            try SegmentTestStore.identify("bob", #"{"plan":"pro"}"#),
        ])
        let later = SegmentTestStore.now.addingTimeInterval(86_400)
        let second = try await test.store.backfillSegment(named: "Pro", at: later)
        #expect(second == SegmentMembershipChange(entered: [bob], exited: [ann], members: 2))
        #expect(try await test.store.segmentMembers(named: "Pro") == [bob, cat])
        let history = try await test.store.segmentHistory(customer: ann)
        #expect(history.count == 1)
        #expect(history.first?.exitedAt == later)
    }

    /// A backfill reads who qualifies off the writer, then changes only the customers whose
    /// membership still differs when it writes: one moved in real time in between keeps what that
    /// later evaluation gave it.
    @Test func backfillLeavesACustomerMovedInBetweenAsTheLaterEvaluationLeftIt() async throws {
        let test = try await makeStore()
        let ann = try await test.customer("ann")
        let cat = try await test.customer("cat")
        let segment = try await test.store.createSegment(name: "Pro", condition: Self.pro)
        let compiled = Self.pro.compiled(now: CustomerFacts.milliseconds(SegmentTestStore.now))
        let candidates = try await test.store.segmentMembershipCandidates(
            segmentId: segment.id,
            where: compiled.predicate,
            arguments: compiled.arguments
        )
        #expect(candidates == [ann, cat])

        try await test.send([try SegmentTestStore.identify("ann", #"{"plan":"free"}"#)])
        #expect(try await test.store.evaluateSegments(for: [ann], at: SegmentTestStore.now).isEmpty)
        let change = try await test.store.changeSegmentMembership(
            segmentId: segment.id,
            of: candidates,
            compiled: { _ in (compiled.predicate, compiled.arguments) },
            at: SegmentTestStore.now
        )
        #expect(change == SegmentMembershipChange(entered: [cat], exited: [], members: 1))
        #expect(try await test.store.segmentMembers(named: "Pro") == [cat])
        #expect(try await test.store.segmentMemberCounts() == [segment.id: 1])
    }

    @Test func membersArePagedByCustomerId() async throws {
        let test = try await makeStore()
        _ = try await test.store.createSegment(
            name: "Everyone",
            condition: .trait(key: "plan", Comparison(.exists, []))
        )
        _ = try await test.store.backfillSegment(named: "Everyone", at: SegmentTestStore.now)
        let all = try await test.store.segmentMembers(named: "Everyone")
        #expect(all.count == 3)
        let first = try await test.store.segmentMembers(named: "Everyone", after: nil, limit: 2)
        #expect(first == Array(all.prefix(2)))
        #expect(try await test.store.segmentMembers(named: "Everyone", after: first.last, limit: 2) == [all[2]])
        #expect(try await test.store.segmentMembers(named: "Everyone", after: all[2], limit: 2).isEmpty)
        await #expect(throws: SegmentError.self) {
            try await test.store.segmentMembers(named: "Missing", after: nil, limit: 2)
        }
    }

    @Test func segmentsOfSegmentsBackfillAfterTheSegmentsTheyReadFrom() async throws {
        let test = try await makeStore()
        let bob = try await test.customer("bob")
        // "Not pro" sorts before "Pro" by name but reads it, so it must be backfilled after it.
        _ = try await test.store.createSegment(name: "Pro", condition: Self.pro)
        _ = try await test.store.createSegment(name: "Not pro", condition: .not(.segment("Pro")))
        let changes = try await test.store.backfillSegments(at: SegmentTestStore.now)
        #expect(changes["Not pro"]?.entered == [bob])
        let facts = try await test.store.customerFacts(at: SegmentTestStore.now, customers: [bob])
        #expect(facts.map(\.segments) == [["Not pro"]])
    }

    @Test func aRefreshMovesOnlyTheCustomersWhoseTimesCrossedAWindowAndWhatReadsThem() async throws {
        let test = try SegmentTestStore()
        let hour: Int64 = 3_600_000
        try await test.send([
            try SegmentTestStore.identify("ann", #"{"plan":"pro","signedUp":"2025-05-02T00:30:00Z"}"#),
            try SegmentTestStore.identify("bob", #"{"plan":"pro"}"#),
            SegmentTestStore.track("ann", "Viewed", millisecondsAgo: 23 * hour),
            // Dated an hour after it was received: it counts from then on.
            SegmentTestStore.track("bob", "Viewed", millisecondsAgo: -hour),
            SegmentTestStore.track("cat", "Viewed", millisecondsAgo: 2 * hour),
        ])
        _ = try await test.store.createSegment(name: "Pro", condition: Self.pro)
        _ = try await test.store.createSegment(
            name: "Recent",
            condition: try SegmentCondition.parse(#"{"event": "Viewed", "inLast": "1d"}"#)
        )
        _ = try await test.store.createSegment(
            name: "Recent pro",
            condition: .all([.segment("Recent"), .segment("Pro")])
        )
        _ = try await test.store.createSegment(
            name: "Young",
            condition: try SegmentCondition.parse(#"{"trait": "signedUp", "op": "gt", "value": "now-30d"}"#)
        )
        _ = try await test.store.backfillSegments(at: SegmentTestStore.now)
        let ann = try await test.customer("ann")
        let bob = try await test.customer("bob")
        #expect(try await test.store.segmentMembers(named: "Recent pro") == [ann])
        #expect(try await test.store.segmentMembers(named: "Young") == [ann])
        // Two hours on: ann's view left the day, bob's arrived; cat's stays in.
        let later = SegmentTestStore.now.addingTimeInterval(7_200)
        let changes = try await test.store.refreshSegments(passedSince: SegmentTestStore.now, at: later)
        #expect(changes["Recent"] == SegmentMembershipChange(entered: [bob], exited: [ann], members: 2))
        #expect(changes["Recent pro"] == SegmentMembershipChange(entered: [bob], exited: [ann], members: 1))
        // ann signed up 30 days and 30 minutes before now: still young then, not two hours later.
        #expect(changes["Young"] == SegmentMembershipChange(entered: [], exited: [ann], members: 0))
        #expect(changes["Pro"] == nil)
        #expect(try await test.store.backfillSegments(at: later).entriesAndExits == 0)
        // Nothing crossed since: nothing moves.
        #expect(try await test.store.refreshSegments(passedSince: later, at: later.addingTimeInterval(60)).isEmpty)
    }

    /// A paced refresh rests after each group of customers (here 999 times as long as the group
    /// took), and a cancellation while it rests ends it with an error rather than a partial result.
    @Test func aPacedRefreshRestsAfterEachGroupAndStopsWhenCancelled() async throws {
        let test = try await makeStore()
        _ = try await test.store.createSegment(name: "Pro", condition: Self.pro)
        _ = try await test.store.createSegment(name: "Not pro", condition: .not(.segment("Pro")))
        let refresh = Task { try await test.store.refreshEverySegment(busyShare: 0.001, groupSize: 1) }
        try await Task.sleep(for: .milliseconds(50))
        refresh.cancel()
        await #expect(throws: SegmentError.self) { try await refresh.value }
        // Unpaced, the same refresh completes.
        let changes = try await test.store.refreshEverySegment(groupSize: 1)
        #expect(changes.keys.sorted() == ["Not pro", "Pro"])
    }

    @Test func eachConditionNamesTheStoredTimesWhoseCrossingCanChangeIt() throws {
        let hour: Int64 = 3_600_000
        let day = 24 * hour
        let cases: [(String, events: [String: Set<Int64>], traits: [String: Set<Int64>])] = [
            (#"{"event": "A"}"#, [:], [:]),
            (#"{"event": "A", "op": "ge", "count": 2, "inLast": "90d"}"#, ["A": [0, 90 * day]], [:]),
            (#"{"event": "A", "followedBy": "B", "within": "1h"}"#, ["A": [0], "B": [0]], [:]),
            (
                #"{"event": "A", "notFollowedBy": "B", "within": "1h", "inLast": "7d"}"#,
                ["A": [hour, 7 * day], "B": [0]], [:]
            ),
            (#"{"not": {"score": "probabilityAlive", "op": "lt", "value": 0.5}}"#, [:], [:]),
            (
                #"{"any": [{"segment": "Pro"}, {"trait": "t", "op": "between", "value": ["now-2d", "now+1h"]}]}"#,
                [:], ["t": [2 * day, -hour]]
            ),
        ]
        for (text, events, traits) in cases {
            let crossings = try SegmentCondition.parse(text).timeCrossings
            #expect(crossings.events == events, "\(text)")
            #expect(crossings.traits == traits, "\(text)")
        }
    }

    @Test func theRealTimePathWithACacheSeesNewAndChangedSegments() async throws {
        let test = try await makeStore()
        let ann = try await test.customer("ann")
        let bob = try await test.customer("bob")
        let cache = SegmentDefinitionCache()
        _ = try await test.store.createSegment(name: "Pro", condition: Self.pro)
        let first = try await test.store.evaluateSegments(for: [ann, bob], at: SegmentTestStore.now, cache: cache)
        #expect(first["Pro"]?.entered == [ann])
        // Unchanged: nothing to record.
        #expect(try await test.store.evaluateSegments(for: [ann, bob], at: SegmentTestStore.now, cache: cache).isEmpty)
        // A new segment and a replaced condition are seen through the same cache.
        _ = try await test.store.createSegment(name: "Free", condition: .not(.segment("Pro")))
        _ = try await test.store.updateSegment(
            name: "Pro",
            condition: .trait(key: "plan", Comparison(.eq, [.string("free")]))
        )
        let second = try await test.store.evaluateSegments(for: [ann, bob], at: SegmentTestStore.now, cache: cache)
        #expect(second["Pro"] == SegmentMembershipChange(entered: [bob], exited: [ann], members: 1))
        #expect(second["Free"]?.entered == [ann])
    }

    /// A count without a window counts a future-dated event (a client clock running ahead) at
    /// once, in both engines, so it never waits for a refresh; a window ends now, and a refresh
    /// brings the event in when its time comes.
    @Test func aCountWithoutAWindowCountsAFutureDatedEventAtOnce() async throws {
        let test = try SegmentTestStore()
        try await test.send([SegmentTestStore.track("ann", "Signed Up", millisecondsAgo: -3_600_000)])
        let ann = try await test.customer("ann")
        let ever = SegmentCondition.eventCount(EventCountCondition(name: "Signed Up"))
        let lastDay = try #require(SegmentDuration(amount: 1, unit: .days))
        let recent = SegmentCondition.eventCount(EventCountCondition(name: "Signed Up", inLast: lastDay))
        #expect(ever.timeCrossings.isEmpty && !recent.timeCrossings.isEmpty)
        _ = try await test.store.createSegment(name: "Ever", condition: ever)
        _ = try await test.store.createSegment(name: "Recent", condition: recent)
        let realTime = try await test.store.evaluateSegments(
            for: [ann],
            at: SegmentTestStore.now,
            cache: SegmentDefinitionCache()
        )
        #expect(realTime["Ever"]?.entered == [ann])
        #expect(realTime["Recent"] == nil)
        #expect(try await test.store.previewCount(of: ever, at: SegmentTestStore.now) == 1)
        #expect(try await test.store.previewCount(of: recent, at: SegmentTestStore.now) == 0)
        let later = SegmentTestStore.now.addingTimeInterval(7_200)
        #expect(try await test.store.previewCount(of: recent, at: later) == 1)
    }

    @Test func errorsSayWhatIsWrong() async throws {
        let test = try await makeStore()
        _ = try await test.store.createSegment(name: "Pro", condition: Self.pro)
        let duplicate = await #expect(throws: SegmentError.self) {
            try await test.store.createSegment(name: "Pro", condition: Self.pro)
        }
        #expect(duplicate?.code == .conflict)
        let unknown = await #expect(throws: SegmentError.self) {
            try await test.store.createSegment(name: "X", condition: .segment("Nope"))
        }
        #expect(unknown?.description == "the condition refers to segment 'Nope', which does not exist")
        let itself = await #expect(throws: SegmentError.self) {
            try await test.store.updateSegment(name: "Pro", condition: .any([Self.pro, .segment("Pro")]))
        }
        #expect(itself?.description == "segment 'Pro' cannot depend on itself: Pro → Pro")
        _ = try await test.store.createSegment(name: "Not pro", condition: .not(.segment("Pro")))
        let cycle = await #expect(throws: SegmentError.self) {
            try await test.store.updateSegment(name: "Pro", condition: .segment("Not pro"))
        }
        #expect(cycle?.description == "segment 'Pro' cannot depend on itself: Pro → Not pro → Pro")
        let missing = await #expect(throws: SegmentError.self) {
            try await test.store.backfillSegment(named: "Missing")
        }
        #expect(missing?.code == .notFound)
    }
}
