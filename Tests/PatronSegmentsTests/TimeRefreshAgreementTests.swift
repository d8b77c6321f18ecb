import Foundation
import PatronCore
import PatronSegments
import PatronStorage
import Testing

/// The scheduled refresh re-evaluates only the customers whose stored times crossed a window since
/// the previous refresh; the property that makes it safe: on random customers, conditions and
/// steps of time, with new events (future-dated ones too) evaluated in real time between steps, a
/// full backfill after each refresh finds nothing left to change.
struct TimeRefreshAgreementTests {
    @Test(arguments: [21, 22, 23] as [UInt64])
    func afterEachRefreshAFullBackfillFindsNothingToChange(seed: UInt64) async throws {
        var data = RandomSegmentData(seed: seed)
        let test = try SegmentTestStore()
        // A third have traits only, so that what their traits' dates alone move shows.
        try await test.sendRandomCustomers(60, data: &data, scoreChance: 0.5) { $0 % 3 == 0 }
        let users = (0..<60).map { "u\($0)" }
        try await test.createBaseSegments(window: SegmentDuration("7d"))
        // Fixed conditions that time moves often, and random ones.
        _ = try await test.store.createSegment(
            name: "recent-sign-up",
            condition: try SegmentCondition.parse(#"{"trait": "signedUpAt", "op": "ge", "value": "now-12d"}"#)
        )
        _ = try await test.store.createSegment(
            name: "abandoned",
            condition: try SegmentCondition.parse(
                #"{"event": "B", "notFollowedBy": "C", "within": "1h", "inLast": "1d"}"#
            )
        )
        _ = try await test.store.createSegment(
            name: "viewed-c-lately",
            condition: try SegmentCondition.parse(#"{"event": "C", "inLast": "2h"}"#)
        )
        for index in 0..<10 {
            _ = try await test.store.createSegment(name: "random-\(index)", condition: data.condition(depth: 3))
        }
        let cache = SegmentDefinitionCache()
        let windows = CustomerEventWindows()
        var time = SegmentTestStore.now
        _ = try await test.store.backfillSegments(at: time)
        // Steps from a millisecond to two weeks, some landing on a window's or a gap's length.
        let steps: [Double] = [0.001, 1, 60, 15 * 60, 59 * 60, 3600, 3600.001, 2 * 3600, 6 * 3600, 86_400, 7 * 86_400]
        var moved = 0
        for _ in 0..<40 {
            let next = time.addingTimeInterval(data.pick(steps))
            moved += try await test.store.refreshSegments(passedSince: time, at: next).entriesAndExits
            time = next
            let backfill = try await test.store.backfillSegments(at: time)
            for (name, change) in backfill where !change.entered.isEmpty || !change.exited.isEmpty {
                Issue.record("after the refresh at \(time), a backfill still moves \(name): \(change)")
            }
            // New events received now, some dated in the next two days, evaluated in real time.
            if data.chance(0.5) {
                let elapsed = CustomerFacts.milliseconds(time) - CustomerFacts.milliseconds(SegmentTestStore.now)
                let fresh = (0..<Int.random(in: 1...6, using: &data.random)).map { _ in
                    let age = data.chance(0.4) ? -Int64.random(in: 1...2 * 86_400_000, using: &data.random) : 0
                    return SegmentTestStore.track(
                        data.pick(users),
                        data.pick(RandomSegmentData.eventNames),
                        millisecondsAgo: age - elapsed
                    )
                }
                try await test.ingest(fresh, receivedAt: time)
                let step = try await test.store.process(
                    try await test.store.pendingEvents(limit: 100),
                    evaluatingSegments: cache,
                    windows: windows,
                    at: time
                )
                if case .failure(let error)? = step.segments { Issue.record("real-time evaluation failed: \(error)") }
            }
        }
        // The refreshes did move customers, so agreement is not agreement on nothing.
        #expect(moved >= 20)
    }
}
