import CustomerValue
import Foundation
import PatronCore
import PatronInsights
import PatronStorage
import Testing

/// An order or refund arriving after a fit re-scores that customer with the active version.
struct RescorerTests {
    @Test func anOrderAndARefundRescoreTheirCustomer() async throws {
        let test = try InsightsTestStore()
        try await test.load(try InsightsTestStore.cdnowTransactions())
        let cutoff = InsightsTestStore.day(1997, 9, 30)
        let fit = try await ValueModelFitter(store: test.store).fit(
            StoreFitOptions(model: "bgnbd", asOfDay: cutoff, holdoutDays: 0)
        )
        let rescorer = Rescorer(store: test.store)
        let customer = try #require(try await test.store.customerId(anyId: "00004"))
        let before = try #require(try await test.store.score(customerId: customer))

        // A new order on 1997-10-03, scored as of that day.
        let now = Date(timeIntervalSince1970: Double(cutoff + 3) * 86_400 + 3600)
        let body = Data(
            #"{"batch":[{"type":"track","userId":"00004","event":"Order Completed","messageId":"o1","properties":{"order_id":"live-1","revenue":80},"timestamp":"1997-10-03T10:00:00Z"}]}"#
                .utf8
        )
        let request = try SegmentRequest.parse(body: body, single: nil, receivedAt: now)
        _ = try await test.store.ingest(IngestBatch(source: "web", accepted: request.accepted, rejected: []))
        let processed = try await test.store.processPending()
        #expect(processed.customersWithOrderChanges == [customer])
        #expect(try await rescorer.rescore(processed.customersWithOrderChanges, now: now) == 1)

        let after = try #require(try await test.store.score(customerId: customer))
        let model = try ScoringModel(version: fit.version)
        let summary = try #require(
            try await test.store.purchaseSummaries(asOfDay: cutoff + 3, customers: [customer]).first
        )
        #expect(summary.repeatPurchases == 3)  // 00004 had x = 2 at the cut-off; the new order adds one
        let expected = model.estimate(summary, asOfDay: cutoff + 3)
        #expect(after.modelVersionId == fit.version.id)
        #expect(after.lifetimeValue3Years == expected.lifetimeValue3Years)
        #expect(after.probabilityAlive == expected.probabilityAlive)
        #expect(after.lifetimeValue3Years > before.lifetimeValue3Years)
        #expect(try await test.store.scoreHistory(customerId: customer).map(\.reason) == ["batch", "order"])

        // Refunding it in full brings the customer back to x = 2.
        let refund = Data(
            #"{"batch":[{"type":"track","userId":"someone-else","event":"Order Refunded","messageId":"r1","properties":{"order_id":"live-1"},"timestamp":"1997-10-04T10:00:00Z"}]}"#
                .utf8
        )
        let refundRequest = try SegmentRequest.parse(body: refund, single: nil, receivedAt: now)
        _ = try await test.store.ingest(IngestBatch(source: "web", accepted: refundRequest.accepted, rejected: []))
        let refunded = try await test.store.processPending()
        #expect(refunded.customersWithOrderChanges == [customer])
        try await rescorer.rescore(refunded.customersWithOrderChanges, now: now)
        let afterRefund = try #require(try await test.store.score(customerId: customer))
        #expect(afterRefund.lifetimeValue3Years < after.lifetimeValue3Years)
        #expect(try await test.store.scoreHistory(customerId: customer).count == 3)
    }

    @Test func aMergeMovesOrdersAndDropsTheMergedScore() async throws {
        let test = try InsightsTestStore()
        try await test.load(try InsightsTestStore.cdnowTransactions())
        let cutoff = InsightsTestStore.day(1997, 9, 30)
        _ = try await ValueModelFitter(store: test.store).fit(
            StoreFitOptions(model: "bgnbd", asOfDay: cutoff, holdoutDays: 0)
        )
        let now = Date(timeIntervalSince1970: Double(cutoff + 3) * 86_400)
        func send(_ event: String) async throws -> ProcessingOutcome {
            let request = try SegmentRequest.parse(
                body: Data(#"{"batch":[\#(event)]}"#.utf8),
                single: nil,
                receivedAt: now
            )
            _ = try await test.store.ingest(IngestBatch(source: "web", accepted: request.accepted, rejected: []))
            return try await test.store.processPending()
        }
        // An anonymous visitor orders and is scored...
        let ordered = try await send(
            #"{"type":"track","anonymousId":"a-1","event":"Order Completed","messageId":"m1","properties":{"order_id":"anon-1","revenue":30},"timestamp":"1997-10-02T10:00:00Z"}"#
        )
        let visitor = try #require(try await test.store.customerId(anyId: "a-1"))
        #expect(ordered.customersWithOrderChanges == [visitor])
        try await Rescorer(store: test.store).rescore(ordered.customersWithOrderChanges, now: now)
        #expect(try await test.store.score(customerId: visitor) != nil)
        // ...then identifies as CDNOW customer 00004: one customer remains, holding both histories.
        let known = try #require(try await test.store.customerId(anyId: "00004"))
        let merged = try await send(
            #"{"type":"identify","userId":"00004","anonymousId":"a-1","messageId":"m2","timestamp":"1997-10-03T10:00:00Z"}"#
        )
        let survivor = try #require(try await test.store.customerId(anyId: "00004"))
        #expect(try await test.store.customerId(anyId: "a-1") == survivor)
        let gone = survivor == visitor ? known : visitor
        #expect(gone != survivor)
        #expect(try await test.store.score(customerId: gone) == nil)
        #expect(merged.customersWithOrderChanges.contains(survivor))
        try await Rescorer(store: test.store).rescore(merged.customersWithOrderChanges, now: now)
        let summary = try #require(
            try await test.store.purchaseSummaries(asOfDay: cutoff + 3, customers: [survivor]).first
        )
        #expect(summary.repeatPurchases == 3)  // 00004's x = 2 at the cut-off + the visitor's order
    }

    @Test func nothingToDoBeforeTheFirstFit() async throws {
        let test = try InsightsTestStore()
        try await test.load([("a", CalendarDate(year: 2025, month: 1, day: 1)!, 10)])
        let customer = try #require(try await test.store.customerId(anyId: "a"))
        #expect(try await Rescorer(store: test.store).rescore([customer]) == 0)
        #expect(try await test.store.score(customerId: customer) == nil)
    }
}
