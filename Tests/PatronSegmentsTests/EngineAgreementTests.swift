import Foundation
import PatronCore
import PatronSegments
import PatronStorage
import Testing

/// The property behind "one definition, two engines": on random customers written into a real
/// store, random conditions select exactly the same customers through the compiled SQL as through
/// the in-memory evaluator.
struct EngineAgreementTests {
    @Test(arguments: [1, 2, 3] as [UInt64])
    func bothEnginesAgreeOnRandomConditionsAndCustomers(seed: UInt64) async throws {
        var data = RandomSegmentData(seed: seed)
        let test = try SegmentTestStore()
        try await test.sendRandomCustomers(60, data: &data, scoreChance: 0.7)
        try await test.createBaseSegments()
        _ = try await test.store.backfillSegments(at: SegmentTestStore.now)
        let customers = try await test.store.customerFacts(at: SegmentTestStore.now).count

        var informative = 0
        let times = [SegmentTestStore.now, SegmentTestStore.now.addingTimeInterval(3600.0004)]
        for round in 0..<150 {
            let condition = data.condition(depth: 3)
            #expect(try SegmentCondition(json: condition.json) == condition, "the JSON form must read back")
            let members = try await test.members(condition, at: times[round % 2])
            #expect(members.sql == members.memory, "engines disagree on \(condition.jsonText)")
            if !members.sql.isEmpty && members.sql.count < customers { informative += 1 }
        }
        // Most conditions split the customers, so agreement is not agreement on trivia.
        #expect(informative >= 50)
    }

    @Test func perCustomerEvaluationRecordsWhatTheBackfillWould() async throws {
        var data = RandomSegmentData(seed: 11)
        let test = try SegmentTestStore()
        var events: [JSONValue] = []
        for index in 0..<40 {
            events.append(SegmentTestStore.identify("u\(index)", data.traits()))
            for event in data.events() {
                events.append(SegmentTestStore.track("u\(index)", event.name, millisecondsAgo: event.age))
            }
        }
        try await test.send(events)
        try await test.createBaseSegments()
        for index in 0..<6 {
            _ = try await test.store.createSegment(name: "random-\(index)", condition: data.condition(depth: 3))
        }
        let customers = try await test.store.customerFacts(at: SegmentTestStore.now).map(\.customerId)
        let firstHalf = Array(customers.prefix(20))
        let partial = try await test.store.evaluateSegments(for: firstHalf, at: SegmentTestStore.now)
        #expect(partial.values.allSatisfy { Set($0.entered).isSubset(of: firstHalf) })
        let all = try await test.store.evaluateSegments(for: customers, at: SegmentTestStore.now)
        #expect(all.values.contains { !$0.entered.isEmpty })
        // The SQL backfill finds nothing left to change after the in-memory evaluation.
        let backfill = try await test.store.backfillSegments(at: SegmentTestStore.now)
        for (name, change) in backfill {
            #expect(change.entered.isEmpty && change.exited.isEmpty, "\(name): \(change)")
            if let recorded = all[name] { #expect(change.members == recorded.members) }
        }
    }
}
