import Foundation
import PatronCore
import PatronSegments
import PatronStorage
import Testing

/// A refresh of every segment evaluates them in memory, a group of customers at a time; it must leave
/// the memberships the SQL backfill would. After random customers backfilled 40 days ago, then more
/// events processed without segment evaluation (memberships go stale) and anonymous visitors merged
/// into users (the merged-away visitors stay members until something evaluates them), a refresh in
/// groups of 7 moves customers both ways, and a SQL backfill at the same time finds nothing to change.
struct FullRefreshAgreementTests {
    @Test(arguments: [21, 22, 23] as [UInt64])
    func aRefreshOfEverySegmentLeavesWhatTheSQLBackfillWould(seed: UInt64) async throws {
        var data = RandomSegmentData(seed: seed)
        let test = try SegmentTestStore()
        let now = SegmentTestStore.now
        try await test.createBaseSegments(window: SegmentDuration("30d"))
        _ = try await test.store.createSegment(
            name: "viewed",
            condition: .eventCount(EventCountCondition(name: "A", count: 1, inLast: nil))
        )
        for index in 0..<6 {
            _ = try await test.store.createSegment(name: "random-\(index)", condition: data.condition(depth: 3))
        }
        try await test.sendRandomCustomers(30, data: &data, scoreChance: 0.5)
        var visits: [JSONValue] = []
        for visitor in 0..<20 {
            visits.append(
                IncrementalEvaluationTests.track(
                    ["anonymousId": .string("v\(visitor)")],
                    "A",
                    millisecondsAgo: 50 * 86_400_000
                )
            )
        }
        try await test.send(visits)
        _ = try await test.store.backfillSegments(at: now.addingTimeInterval(-40 * 86_400))
        let membersBefore = try await test.store.segmentMembers(named: "viewed")

        var later: [JSONValue] = []
        for visitor in 0..<10 {
            later.append(
                IncrementalEvaluationTests.event([
                    "type": "identify", "userId": "u\(visitor)", "anonymousId": "v\(visitor)",
                ])
            )
        }
        for index in 0..<30 {
            later.append(SegmentTestStore.identify("u\(index)", data.traits()))
            for event in data.events() {
                later.append(SegmentTestStore.track("u\(index)", event.name, millisecondsAgo: event.age))
            }
        }
        try await test.send(later)
        let customers = Set(try await test.store.customerFacts(at: now).map(\.customerId))
        let mergedAway = Set(membersBefore).subtracting(customers)
        #expect(!mergedAway.isEmpty, "some members must have been merged away")

        let refresh = try await test.store.refreshEverySegment(at: now, groupSize: 7)
        let entered = refresh.values.reduce(0) { $0 + $1.entered.count }
        let exited = refresh.values.flatMap(\.exited)
        #expect(entered >= 10 && exited.count >= 10, "the refresh must move customers both ways")
        #expect(mergedAway.isSubset(of: refresh["viewed"]?.exited ?? []), "merged-away members leave")
        for (name, change) in try await test.store.backfillSegments(at: now).sorted(by: { $0.key < $1.key }) {
            #expect(change.entered.isEmpty && change.exited.isEmpty, "segment \(name): \(change)")
        }
        // Nothing left to refresh either.
        #expect(try await test.store.refreshEverySegment(at: now, groupSize: 7).isEmpty)
    }
}
