import CustomerValue
import Foundation
import PatronInsights
import PatronStorage
import Testing

/// Value snapshots as of past days never use later data, and the trend report compares them.
struct SnapshotTests {
    @Test func aSnapshotUsesNoDataAfterItsDay() async throws {
        let transactions = try InsightsTestStore.cdnowTransactions()
        let day = InsightsTestStore.day(1997, 9, 30)
        let full = try InsightsTestStore()
        try await full.load(transactions)
        let truncated = try InsightsTestStore()
        try await truncated.load(transactions.filter { $0.date.dayNumber <= day })
        let options = StoreFitOptions(
            model: "bgnbd",
            asOfDay: day,
            holdoutDays: 0,
            activate: false,
            score: false,
            snapshot: true
        )
        let fromFull = try await ValueModelFitter(store: full.store).fit(options)
        let fromTruncated = try await ValueModelFitter(store: truncated.store).fit(options)
        // Same parameters and the same value of every customer (relative 1e-12): the 1,882 later
        // purchases in the full store changed nothing.
        for (a, b) in zip(fromFull.version.purchaseParameters, fromTruncated.version.purchaseParameters) {
            #expect(abs(a / b - 1) < 1e-12)
        }
        let snapshotsFull = try await full.store.snapshots()
        let snapshotsTruncated = try await truncated.store.snapshots()
        #expect(snapshotsFull.count == 1 && snapshotsFull[0].asOfDay == day)
        #expect(snapshotsFull[0].customers == 2357)
        #expect(abs(snapshotsFull[0].lifetimeValue3Years / snapshotsTruncated[0].lifetimeValue3Years - 1) < 1e-12)
        for id in ["00004", "00018", "23569"] {
            let a = try #require(try await full.store.customerId(anyId: id))
            let b = try #require(try await truncated.store.customerId(anyId: id))
            let entryA = try #require(
                try await full.store.snapshotEntry(snapshotId: snapshotsFull[0].id, customerId: a)
            )
            let entryB = try #require(
                try await truncated.store.snapshotEntry(snapshotId: snapshotsTruncated[0].id, customerId: b)
            )
            #expect(abs(entryA.lifetimeValue3Years - entryB.lifetimeValue3Years) < 1e-9)
            #expect(abs(entryA.probabilityAlive - entryB.probabilityAlive) < 1e-12)
        }
        // Snapshots neither score nor activate.
        #expect(try await full.store.activeModelVersion() == nil)
        #expect(try await full.store.scores(limit: 1).isEmpty)
    }

    @Test func monthlyBackfillAndTrend() async throws {
        let test = try InsightsTestStore()
        try await test.load(try InsightsTestStore.cdnowTransactions())
        let days = SnapshotBackfill.monthEnds(
            from: InsightsTestStore.day(1997, 1, 1),
            to: InsightsTestStore.day(1998, 6, 30)
        )
        #expect(days.count == 18)
        #expect(days.first == InsightsTestStore.day(1997, 1, 31))
        let result = try await SnapshotBackfill(store: test.store).run(
            days: days,
            options: StoreFitOptions(model: "bgnbd", holdoutDays: 0)
        )
        #expect(result.written.count + result.skipped.count == 18)
        #expect(result.written.count >= 16)
        let report = try await TrendReport.build(store: test.store)
        #expect(report.points.count == result.written.count)
        #expect(report.points.first?.sincePrevious == nil)
        // CDNOW's customers all first bought in Q1 1997: from April on there are no new customers
        // and the base stays at 2,357.
        for point in report.points where point.asOf >= "1997-04-30" {
            #expect(point.customers == 2357)
            #expect(point.sincePrevious?.newCustomers == 0)
            #expect(point.sincePrevious?.newCustomerValue == 0)
        }
        let march = try #require(report.points.first { $0.asOf == "1997-03-31" })
        #expect((march.sincePrevious?.newCustomers ?? 0) > 0)
        // Tier moves cover every customer present in both snapshots.
        let last = try #require(report.points.last?.sincePrevious)
        #expect(last.tierMoves.values.flatMap(\.values).reduce(0, +) == 2357)
        #expect(last.churnedValue >= 0 && last.valueAtRisk >= 0)
        // Re-running a day replaces its snapshot instead of adding one.
        _ = try await SnapshotBackfill(store: test.store).run(
            days: [days.last!],
            options: StoreFitOptions(model: "bgnbd", holdoutDays: 0)
        )
        #expect(try await test.store.snapshots().count == result.written.count)
    }

    @Test func monthEnds() {
        let days = SnapshotBackfill.monthEnds(
            from: InsightsTestStore.day(2024, 1, 15),
            to: InsightsTestStore.day(2024, 3, 10)
        )
        #expect(
            days == [
                InsightsTestStore.day(2024, 1, 31), InsightsTestStore.day(2024, 2, 29),
                InsightsTestStore.day(2024, 3, 10),
            ]
        )
        #expect(SnapshotBackfill.monthEnds(from: 100, to: 100) == [100])
    }
}
