import CustomerValue
import Foundation
import PatronInsights
import PatronStorage
import Testing

/// ROI per channel on a hand-checked store: acquisition from events, spend from rows.
struct ROIReportTests {
    @Test func acquisitionCostLifetimeValueAndPayback() async throws {
        let test = try InsightsTestStore()
        try await test.send(
            #"{"type":"page","userId":"u1","messageId":"p1","context":{"campaign":{"source":"google","medium":"cpc"}},"timestamp":"2025-01-05T10:00:00Z"}"#,
            #"{"type":"track","userId":"u1","event":"Order Completed","messageId":"o1","properties":{"order_id":"o1","revenue":100},"timestamp":"2025-01-06T10:00:00Z"}"#,
            #"{"type":"track","userId":"u1","event":"Order Completed","messageId":"o2","properties":{"order_id":"o2","revenue":50},"timestamp":"2025-02-10T10:00:00Z"}"#,
            #"{"type":"page","userId":"u2","messageId":"p2","context":{"campaign":{"source":"newsletter","medium":"email"}},"timestamp":"2025-01-07T10:00:00Z"}"#,
            #"{"type":"track","userId":"u2","event":"Order Completed","messageId":"o3","properties":{"order_id":"o3","revenue":20},"timestamp":"2025-01-08T10:00:00Z"}"#,
            #"{"type":"page","userId":"u3","messageId":"p3","context":{"campaign":{"source":"google","medium":"cpc"}},"timestamp":"2025-01-09T10:00:00Z"}"#
        )
        let spend = [
            SpendRow(
                day: InsightsTestStore.day(2025, 1, 15),
                channel: "paid search",
                campaign: "brand",
                amount: 120,
                currency: "EUR"
            ),
            SpendRow(
                day: InsightsTestStore.day(2025, 1, 20),
                channel: "email",
                campaign: "",
                amount: 10,
                currency: "EUR"
            ),
        ]
        #expect(try await test.store.importSpend(spend).imported == 2)
        #expect(try await test.store.importSpend(spend).alreadyPresent == 2)  // idempotent

        let report = try await ROIReport.build(store: test.store)
        #expect(report.channels.map(\.channel) == ["email", "paid search"])  // by LTV:CAC
        let email = report.channels[0]
        #expect(email.customers == 1 && email.acquisitionCost == 10 && email.revenuePerCustomer == 20)
        #expect(email.lifetimeValueToCost == 2)  // no model fitted: LTV = revenue to date
        #expect(email.paybackMonths == 0)
        let search = report.channels[1]
        #expect(search.customers == 1)  // u3 never bought
        #expect(search.acquisitionCost == 120)
        #expect(search.lifetimeValuePerCustomer == 150)
        #expect(search.lifetimeValueToCost == 1.25)
        #expect(search.paybackMonths == 1)  // 100 in January < 120 ≤ 150 by February
        #expect(report.months.contains { $0.channel == "paid search" && $0.month == "2025-01" && $0.spend == 120 })

        // A corrected amount replaces the stored one.
        var corrected = spend[0]
        corrected.amount = 300
        #expect(try await test.store.importSpend([corrected]).imported == 1)
        let after = try await ROIReport.build(store: test.store)
        let searchAfter = try #require(after.channels.first { $0.channel == "paid search" })
        #expect(searchAfter.acquisitionCost == 300)
        #expect(searchAfter.paybackMonths == nil)  // 150 per customer so far < 300
    }
}
