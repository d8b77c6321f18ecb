import CustomerValue
import Foundation
import PatronStorage
import Testing

/// The summaries the store computes in SQL agree with the in-memory reference (`RFMSummary`, which
/// follows lifetimes' `summary_data_from_transaction_data`) and handle refunds and same-day orders.
struct PurchaseSummaryTests {
    @Test func sqlSummariesMatchTheReferenceOnCDNOW() async throws {
        let test = try InsightsTestStore()
        let transactions = try InsightsTestStore.cdnowTransactions()
        try await test.load(transactions)
        let calibrationEnd = CalendarDate(year: 1997, month: 9, day: 30)!
        let observationEnd = CalendarDate(year: 1998, month: 6, day: 30)!
        let reference = try RFMSummary(
            transactions: transactions.map { Transaction(customerID: $0.customer, date: $0.date, amount: $0.amount) },
            calibrationEnd: calibrationEnd,
            observationEnd: observationEnd,
            timeUnit: .days
        )
        let summaries = try await test.store.purchaseSummaries(
            asOfDay: calibrationEnd.dayNumber,
            holdoutEndDay: observationEnd.dayNumber
        )
        #expect(summaries.count == 2357)
        #expect(summaries.reduce(0) { $0 + $1.repeatPurchases } == 2457)  // REFERENCE.md: Σx = 2,457
        #expect(summaries.reduce(0) { $0 + $1.holdoutPurchases } == 1882)  // REFERENCE.md: 1,882 in holdout
        // Same multiset of (x, t_x, T, holdout x) in days, and the same spend to the cent.
        func key(_ x: Int, _ recency: Double, _ age: Double, _ holdout: Int) -> String {
            "\(x)/\(Int(recency))/\(Int(age))/\(holdout)"
        }
        let fromStore = summaries.map {
            key(
                $0.repeatPurchases,
                Double($0.lastDay - $0.firstDay),
                Double(calibrationEnd.dayNumber - $0.firstDay),
                $0.holdoutPurchases
            )
        }
        let fromReference = reference.customers.map {
            key($0.history.frequency, $0.history.recency, $0.history.age, $0.holdoutFrequency)
        }
        #expect(fromStore.sorted() == fromReference.sorted())
        let storeSpend = summaries.reduce(0) { $0 + $1.meanRepeatSpend }
        let referenceSpend = reference.customers.reduce(0) { $0 + $1.monetaryValue }
        #expect(abs(storeSpend - referenceSpend) < 1e-6)
        let groups = try await test.store.purchaseHistoryGroups(asOfDay: calibrationEnd.dayNumber)
        #expect(groups.count == 1016)  // REFERENCE.md: 1,016 unique (x, t_x, T) triples
        #expect(groups.reduce(0) { $0 + $1.customers } == 2357)
        // All customers are summarised in concurrent id slices (one per core); the same summaries,
        // in the same order, as one read of the listed customers.
        let listed = try await test.store.purchaseSummaries(
            asOfDay: calibrationEnd.dayNumber,
            holdoutEndDay: observationEnd.dayNumber,
            customers: summaries.map(\.customerId)
        )
        #expect(listed == summaries)
        #expect(summaries.map(\.customerId) == summaries.map(\.customerId).sorted())
    }

    @Test func refundsAndSameDayOrders() async throws {
        let test = try InsightsTestStore()
        let day = CalendarDate(year: 2025, month: 1, day: 1)!
        try await test.load([
            ("a", day, 10), ("a", day, 5),  // one purchase day of 15
            ("a", CalendarDate(dayNumber: day.dayNumber + 10), 20),
            ("a", CalendarDate(dayNumber: day.dayNumber + 20), 30),
            ("b", CalendarDate(dayNumber: day.dayNumber + 5), 40),
        ])
        // Refund a's last order in full: it no longer counts as a purchase.
        try await test.send(
            #"{"type":"track","userId":"a","event":"Order Refunded","messageId":"r1","properties":{"order_id":"order-3"},"timestamp":"2025-02-01T00:00:00Z"}"#
        )
        let summaries = try await test.store.purchaseSummaries(asOfDay: day.dayNumber + 30)
            .sorted { $0.firstDay < $1.firstDay }
        #expect(summaries.count == 2)
        let a = summaries[0]
        #expect(a.repeatPurchases == 1)
        #expect(a.firstRevenue == 15)
        #expect(a.repeatRevenue == 20)
        #expect(a.lastDay - a.firstDay == 10)
        #expect(summaries[1].repeatPurchases == 0)
        // As of a day before b's first purchase, b is not a customer yet.
        #expect(try await test.store.purchaseSummaries(asOfDay: day.dayNumber + 4).count == 1)
        #expect(try await test.store.purchaseDayRange() == day.dayNumber...(day.dayNumber + 20))
    }
}
