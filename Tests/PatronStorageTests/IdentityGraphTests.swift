import Foundation
import PatronCore
import PatronStorage
import PatronTestSupport
import Testing

/// The identity graph, profiles, transactions and acquisition, processed from events stored in a
/// real SQLite file.
struct IdentityGraphTests {
    let store: SQLiteStore

    init() throws {
        let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
            .path
        store = try SQLiteStore(path: path)
    }

    /// Stores the events (JSON objects of a batch) as source `web`, then processes everything.
    func send(_ events: String...) async throws {
        try await store.storeAndProcess(events)
    }

    func profile(_ anyId: String) async throws -> CustomerProfile? {
        guard let id = try await store.customerId(anyId: anyId) else { return nil }
        return try await store.customer(id: id)
    }

    @Test func identifyLinksAnonymousAndUserIds() async throws {
        try await send(
            #"{"type":"page","anonymousId":"a1","messageId":"1","timestamp":"2026-01-01T00:00:00Z"}"#,
            #"{"type":"identify","userId":"u1","anonymousId":"a1","messageId":"2","traits":{"email":"Ann@Example.com"},"timestamp":"2026-01-02T00:00:00Z"}"#
        )
        let customer = try #require(try await profile("a1"))
        #expect(try await profile("u1")?.id == customer.id)
        #expect(try await profile("ann@example.com")?.id == customer.id)
        #expect(customer.eventCount == 2)
        #expect(
            Set(customer.identifiers.map(\.description)) == ["anonymous_id:a1", "user_id:u1", "email:ann@example.com"]
        )
        #expect(customer.firstSeen == SegmentTimestamp.parse("2026-01-01T00:00:00Z"))
        #expect(customer.lastSeen == SegmentTimestamp.parse("2026-01-02T00:00:00Z"))
    }

    @Test func anEventCarryingIdsOfTwoCustomersMergesThemAndAuditsIt() async throws {
        try await send(
            #"{"type":"track","anonymousId":"a1","event":"Viewed","messageId":"1","context":{"traits":{"email":"x@y.z"}}}"#,
            #"{"type":"track","anonymousId":"a2","event":"Viewed","messageId":"2"}"#
        )
        #expect(try await profile("a1")?.id != profile("a2")?.id)
        try await send(#"{"type":"identify","anonymousId":"a2","messageId":"3","traits":{"email":"x@y.z"}}"#)
        let merged = try #require(try await profile("a1"))
        #expect(try await profile("a2")?.id == merged.id)
        #expect(merged.eventCount == 3)
        let audit = try await store.identityAudit(customer: merged.id)
        #expect(audit.filter { $0.action == "merge" }.count == 1)
        #expect(try await store.events(customer: merged.id, limit: 10).count == 3)
    }

    @Test func customersWithDifferentUserIdsAreNeverMerged() async throws {
        try await send(
            #"{"type":"identify","userId":"u1","anonymousId":"shared-device","messageId":"1"}"#,
            #"{"type":"identify","userId":"u2","anonymousId":"shared-device","messageId":"2"}"#
        )
        let first = try #require(try await profile("u1"))
        let second = try #require(try await profile("u2"))
        #expect(first.id != second.id)
        #expect(second.identifiers.map(\.description) == ["user_id:u2"])
        #expect(second.eventCount == 1, "the event is kept, on the customer of its userId")
        let conflicts = try await store.identityAudit(customer: second.id).filter { $0.action == "conflict" }
        #expect(conflicts.count == 1)
    }

    @Test(arguments: ["guest", "NULL", "undefined", "[object Object]", "0", " none "])
    func placeholderValuesNeverLinkPeople(placeholder: String) async throws {
        try await send(
            #"{"type":"identify","userId":"u1","anonymousId":"\#(placeholder)","messageId":"1"}"#,
            #"{"type":"identify","userId":"u2","anonymousId":"\#(placeholder)","messageId":"2"}"#
        )
        let first = try #require(try await profile("u1"))
        #expect(try await profile("u2")?.id != first.id)
        #expect(first.identifiers.map(\.description) == ["user_id:u1"])
        #expect(try await store.identityAudit(customer: first.id).isEmpty)
    }

    @Test func anEventLinksAtMostTheCappedNumberOfIds() async throws {
        let externalIds = (0..<15).map { #"{"id":"e\#($0)","type":"crm"}"# }.joined(separator: ",")
        try await send(
            #"{"type":"identify","userId":"u1","messageId":"1","context":{"externalIds":[\#(externalIds)]}}"#
        )
        let customer = try #require(try await profile("u1"))
        #expect(customer.identifiers.count == IdentityRules().maximumIdentifiersPerEvent)
        #expect(try await profile("e14") == nil)
    }

    @Test func aliasLinksThePreviousIdToTheUser() async throws {
        try await send(
            #"{"type":"track","anonymousId":"a7","event":"Viewed","messageId":"1"}"#,
            #"{"type":"alias","userId":"u7","previousId":"a7","messageId":"2"}"#
        )
        #expect(try await profile("a7")?.id == profile("u7")?.id)
    }

    @Test func traitsKeepTheLatestTimestampPerTrait() async throws {
        try await send(
            #"{"type":"identify","userId":"u1","messageId":"1","timestamp":"2026-03-01T00:00:00Z","traits":{"plan":"pro"}}"#,
            #"{"type":"identify","userId":"u1","messageId":"2","timestamp":"2026-02-01T00:00:00Z","traits":{"plan":"free","city":"Oslo"}}"#
        )
        let traits = try #require(try await profile("u1")).traits
        #expect(traits["plan"] == .string("pro"))
        #expect(traits["city"] == .string("Oslo"))
    }

    @Test func ordersBecomeTransactionsOncePerOrderIdAndRefundsReverseThem() async throws {
        let order =
            #""event":"Order Completed","properties":{"order_id":"o1","revenue":"42.50","currency":"eur","products":[{"sku":"a","price":42.5}]}"#
        try await send(
            #"{"type":"track","userId":"u1","messageId":"1",\#(order)}"#,
            #"{"type":"track","userId":"u1","messageId":"2",\#(order)}"#,
            #"{"type":"track","userId":"u1","messageId":"3","event":"Order Completed","properties":{"order_id":"o2","products":[{"price":10,"quantity":3}]}}"#
        )
        var customer = try #require(try await profile("u1"))
        #expect(customer.transactionCount == 2)
        #expect(abs(customer.revenue - 72.5) < 1e-9)
        let transactions = try await store.transactions(customer: customer.id)
        #expect(transactions.map(\.currency) == ["EUR", "USD"])
        try await send(
            #"{"type":"track","userId":"u1","messageId":"4","event":"Order Refunded","properties":{"order_id":"o1"}}"#
        )
        customer = try #require(try await profile("u1"))
        #expect(abs(customer.revenue - 30) < 1e-9)
        #expect(try await store.transactions(customer: customer.id).first { $0.orderId == "o1" }?.refunded == true)
    }

    @Test func acquisitionIsTheFirstMarketingTouch() async throws {
        try await send(
            #"{"type":"identify","userId":"u1","messageId":"1","timestamp":"2026-01-01T00:00:00Z"}"#,
            #"{"type":"page","userId":"u1","messageId":"2","timestamp":"2026-01-03T00:00:00Z","context":{"campaign":{"source":"newsletter","medium":"email","name":"spring"}}}"#,
            #"{"type":"page","userId":"u1","messageId":"3","timestamp":"2026-01-02T00:00:00Z","context":{"campaign":{"source":"google","medium":"cpc","name":"brand"}}}"#,
            #"{"type":"page","userId":"u1","messageId":"4","timestamp":"2026-01-04T00:00:00Z","context":{"page":{"referrer":"https://www.bing.com/search?q=x"}}}"#
        )
        let acquisition = try #require(try await profile("u1")?.acquisition)
        #expect(acquisition.channel == "paid search")
        #expect(acquisition.utmCampaign == "brand")
        #expect(acquisition.source == "web")
    }

    @Test func aSplitUndoesAMergeAndRebuildsBothCustomers() async throws {
        try await send(
            #"{"type":"identify","anonymousId":"a1","messageId":"1","traits":{"email":"p@q.r","plan":"pro"}}"#,
            #"{"type":"track","anonymousId":"a2","messageId":"2","event":"Order Completed","properties":{"order_id":"o9","revenue":5}}"#,
            #"{"type":"identify","anonymousId":"a2","messageId":"3","traits":{"email":"p@q.r"}}"#
        )
        let merged = try #require(try await profile("a1"))
        #expect(merged.eventCount == 3 && merged.transactionCount == 1)
        let merge = try #require(try await store.identityAudit(customer: merged.id).first { $0.action == "merge" })
        let result = try await store.splitMerge(auditId: merge.id)
        #expect(result.winner == merged.id)
        let kept = try #require(try await store.customer(id: result.winner))
        let restored = try #require(try await store.customer(id: result.restored))
        #expect(kept.eventCount + restored.eventCount == 3)
        #expect(kept.transactionCount + restored.transactionCount == 1)
        #expect(Set(kept.identifiers).isDisjoint(with: Set(restored.identifiers)))
        await #expect(throws: StoreError.self) { try await store.splitMerge(auditId: merge.id) }
    }

    @Test func processingIsOrderedResumableAndCounted() async throws {
        try await send(#"{"type":"track","userId":"u1","event":"A","messageId":"1"}"#)
        let status = try await store.ingestStatus()
        #expect(status.storedEvents == 1 && status.processedEvents == 1 && status.pendingEvents == 0)
        #expect(try await store.processPending().events == 0, "a processed event is never processed twice")
    }

    @Test func quarantinedEventsReplayOnceTheyPass() async throws {
        let body = Data(
            #"{"batch":[{"type":"track","userId":"u1","event":"Big","messageId":"q1","properties":{"text":"\#(String(repeating: "x", count: 300))"}},{"type":"track","userId":"u1","messageId":"q2"}]}"#
                .utf8
        )
        let tight = IngestLimits(maximumEventBytes: 200)
        let request = try SegmentRequest.parse(body: body, single: nil, receivedAt: Date(), limits: tight)
        #expect(request.rejected.map(\.reason) == [.eventTooLarge, .missingEventName])
        _ = try await store.ingest(IngestBatch(source: "web", accepted: [], rejected: request.rejected))
        #expect(try await store.quarantined().count == 2)
        let outcome = try await store.replayQuarantine(ids: nil)
        #expect(outcome.replayed == 1 && outcome.stillInvalid == 1)
        #expect(try await store.messageIds(source: "web") == ["q1"])
        #expect(try await store.quarantined().map(\.reason) == ["missingEventName"])
        #expect(try await store.replayQuarantine(ids: nil).replayed == 0, "a replayed event is not replayed again")
    }
}
