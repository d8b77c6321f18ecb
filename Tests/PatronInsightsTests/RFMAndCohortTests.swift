import CustomerValue
import Foundation
import PatronInsights
import PatronStorage
import Testing

/// RFM segments and the cohort table on small hand-checked data.
struct RFMAndCohortTests {
    @Test func rfmQuintilesAndSegments() async throws {
        let test = try InsightsTestStore()
        let asOf = CalendarDate(year: 2025, month: 6, day: 30)!
        // Customer i (1…10) bought on i days, 10 € each, the last one (10 − i)·3 days before the as-of day:
        // ranks 1…10 in every dimension, so quintile scores are 1,1,2,2,3,3,4,4,5,5 (score = 1 + ⌊5(rank−1)/10⌋).
        var rows: [(customer: String, date: CalendarDate, amount: Double)] = []
        for i in 1...10 {
            let last = asOf.dayNumber - (10 - i) * 3
            for k in 0..<i { rows.append(("c\(i)", CalendarDate(dayNumber: last - 40 * k), 10)) }
        }
        try await test.load(rows)
        let scored = try await test.store.rfmRows(asOfDay: asOf.dayNumber)
        #expect(scored.count == 10)
        let byFrequency = scored.sorted { $0.frequency < $1.frequency }
        #expect(byFrequency.map(\.recencyScore) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
        #expect(byFrequency.map(\.frequencyScore) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
        #expect(byFrequency.map(\.monetaryScore) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
        #expect(byFrequency.map(\.recencyDays) == [27, 24, 21, 18, 15, 12, 9, 6, 3, 0])
        #expect(byFrequency.last?.monetary == 100)

        let report = try await RFMReport.build(store: test.store, asOfDay: asOf.dayNumber)
        #expect(report.asOf == "2025-06-30")
        let segments = Dictionary(uniqueKeysWithValues: report.segments.map { ($0.name, $0) })
        #expect(segments["Champions"]?.customers == 2)  // R5 F5
        #expect(segments["Loyal customers"]?.customers == 2)  // R4 F4
        #expect(segments["Need attention"]?.customers == 2)  // R3 F3
        #expect(segments["Hibernating"]?.customers == 4)  // R1–2 F1–2
        #expect(segments["Champions"]?.revenue == 190)  // 9·10 + 10·10
        #expect(segments["Champions"]?.meanRecencyDays == 1.5)
        #expect(report.grid.indices.allSatisfy { report.grid[$0][$0] == 2 })
        #expect(RFMReport.segment(recency: 1, frequency: 5) == "Can't lose them")
        #expect(RFMReport.segment(recency: 5, frequency: 1) == "New customers")
        #expect(RFMReport.segment(recency: 2, frequency: 3) == "At risk")
    }

    @Test func cohortTable() async throws {
        let test = try InsightsTestStore()
        func day(_ month: Int, _ day: Int) -> CalendarDate { CalendarDate(year: 2025, month: month, day: day)! }
        try await test.load([
            ("a", day(1, 10), 10), ("a", day(2, 5), 20), ("a", day(3, 1), 30),
            ("b", day(1, 20), 40), ("b", day(3, 15), 50),
            ("c", day(2, 1), 60),
        ])
        let report = try await CohortReport.build(store: test.store)
        #expect(report.cohorts.map(\.month) == ["2025-01", "2025-02"])
        let january = report.cohorts[0]
        #expect(january.customers == 2)
        #expect(january.periods.map(\.activeShare) == [1, 0.5, 1])
        #expect(january.periods.map(\.revenue) == [50, 20, 80])
        #expect(january.periods.map(\.revenueRetained) == [1, 0.4, 1.6])
        #expect(january.periods.map(\.cumulativeRevenuePerCustomer) == [25, 35, 75])
        #expect(january.predictedValuePerCustomer == nil)  // no model fitted
        let february = report.cohorts[1]
        #expect(february.customers == 1)
        // March had no purchase from February's cohort: the month is still listed, with zeros.
        #expect(february.periods.map(\.activeShare) == [1, 0])
        #expect(february.periods.map(\.cumulativeRevenuePerCustomer) == [60, 60])
        let empty = try InsightsTestStore()
        await #expect { try await CohortReport.build(store: empty.store) } throws: { error in
            (error as? InsightsError)?.code == .insufficientData
        }
    }
}
