import Foundation
import PatronCore
import PatronStorage
import Testing

@testable import PatronSegments

/// A refresh or a backfill reads first, then writes the memberships that move. An event processed
/// in real time between the two, and dated after the read, is counted by that real-time evaluation;
/// the write must count it too, and not undo the membership it left.
struct RefreshRaceTests {
    @Test func aWriteCountsTheEventsARealTimeEvaluationCountedSinceTheRead() async throws {
        let (test, ann) = try await Self.storeWithALeavingMember()
        let plan = RealtimeSegmentPlan(try await test.store.segmentDefinitions())
        var groups = [[ann]][...]
        let changes = try await test.store.refresh(
            plan: plan,
            at: nil,
            afterReading: {
                // The read found ann leaving; a new view, processed now and evaluated in real time,
                // keeps her in.
                await #expect(throws: Never.self) { try await Self.processAViewNow(test) }
            },
            groups: { groups.popFirst() }
        )
        #expect(changes.isEmpty, "the write must count the view processed after the read: \(changes)")
        #expect(try await test.store.segmentMembers(named: "Twice") == [ann])
    }

    /// A store where ann is a member of "Twice" (two views in the last day) by an evaluation an
    /// hour ago, and would leave by one now: her older view has just left the day.
    static func storeWithALeavingMember() async throws -> (SegmentTestStore, Int64) {
        let test = try SegmentTestStore()
        try await test.send([
            Self.view(at: Date().addingTimeInterval(-86_400 - 60)), Self.view(at: Date().addingTimeInterval(-3_600)),
        ])
        _ = try await test.store.createSegment(
            name: "Twice",
            condition: try SegmentCondition.parse(#"{"event": "Viewed", "op": "ge", "count": 2, "inLast": "1d"}"#)
        )
        _ = try await test.store.backfillSegments(at: Date().addingTimeInterval(-3_600))
        let ann = try await test.customer("ann")
        #expect(try await test.store.segmentMembers(named: "Twice") == [ann])
        return (test, ann)
    }

    /// Ingests a view by ann dated now and processes it in real time, evaluating its segments.
    static func processAViewNow(_ test: SegmentTestStore) async throws {
        try await Task.sleep(for: .milliseconds(20))
        try await test.ingest([Self.view(at: Date())], receivedAt: Date())
        let step = try await test.store.process(
            try await test.store.pendingEvents(limit: 10),
            evaluatingSegments: SegmentDefinitionCache(),
            windows: CustomerEventWindows()
        )
        #expect(step.outcome.events == 1)
    }

    /// The same for a segment's backfill through the compiled SQL: its write, at its own time,
    /// counts the view processed after its read.
    @Test func aBackfillWriteCountsTheEventsARealTimeEvaluationCountedSinceTheRead() async throws {
        let (test, ann) = try await Self.storeWithALeavingMember()
        let segment = try #require(try await test.store.segment(named: "Twice"))
        let condition = try SegmentCondition.parse(segment.definition)
        let compiled: SQLiteStore.CompiledAt = { time in
            let compiled = condition.compiled(now: CustomerFacts.milliseconds(time))
            return (compiled.predicate, compiled.arguments)
        }
        let read = compiled(Date())
        let candidates = try await test.store.segmentMembershipCandidates(
            segmentId: segment.id,
            where: read.predicate,
            arguments: read.arguments
        )
        #expect(candidates == [ann])
        try await Self.processAViewNow(test)
        let change = try await test.store.changeSegmentMembership(
            segmentId: segment.id,
            of: candidates,
            compiled: compiled,
            at: nil
        )
        #expect(change == SegmentMembershipChange(entered: [], exited: [], members: 1))
    }

    static func view(at time: Date) -> JSONValue {
        .object([
            "type": .string("track"), "userId": .string("ann"), "event": .string("Viewed"),
            "messageId": .string(UUID().uuidString),
            "timestamp": .string(SegmentTimestamp.format(time)),
        ])
    }
}
