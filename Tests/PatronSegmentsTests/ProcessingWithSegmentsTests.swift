import Foundation
import PatronCore
import PatronSegments
import PatronStorage
import Testing

/// The real-time path in a processing step's own transaction
/// (`SQLiteStore.process(_:rules:evaluatingSegments:windows:at:)`).
struct ProcessingWithSegmentsTests {
    /// An entry and its trigger's webhook are recorded by the step that processed the event: once it
    /// returns, both are there, with no other call.
    @Test func anEntryAndItsWebhookCommitWithTheStep() async throws {
        let test = try SegmentTestStore()
        _ = try await test.store.createSegment(
            name: "pro",
            condition: .trait(key: "plan", Comparison(.eq, [.string("pro")]))
        )
        _ = try await test.store.createDestination(name: "crm", url: "http://127.0.0.1:9/hooks")
        _ = try await test.store.createTrigger(
            name: "pro-crm",
            event: .segmentEntered,
            segment: "pro",
            destination: "crm"
        )
        try await test.ingest([SegmentTestStore.identify("u1", .object(["plan": .string("pro")]))])
        let step = try await test.processPending()
        let customer = try await test.customer("u1")
        #expect(step.outcome.events == 1)
        #expect(try step.segments?.get()["pro"]?.entered == [customer])
        #expect(step.evaluation != nil)
        #expect(try await test.store.segmentMembers(named: "pro") == [customer])
        let queued = try await test.store.deliveries(destination: "crm")
        #expect(queued.map(\.customerId) == [customer] && queued.first?.eventType == "segment.entered")
    }

    /// A customer whose orders changed is left out of the step's evaluation (its score is stale until
    /// re-scored) and named for the caller, who evaluates it after re-scoring; the step's other
    /// customers are evaluated in it.
    @Test func customersWithNewOrdersAreLeftForAfterRescoring() async throws {
        let test = try SegmentTestStore()
        _ = try await test.store.createSegment(
            name: "buyers",
            condition: .eventCount(EventCountCondition(name: "Order Completed"))
        )
        _ = try await test.store.createSegment(
            name: "viewers",
            condition: .eventCount(EventCountCondition(name: "Viewed"))
        )
        var order = SegmentTestStore.track("buyer", "Order Completed", millisecondsAgo: 60_000)
        order = order.setting("properties", to: .object(["order_id": .string("o1"), "revenue": .number(30)]))
        try await test.ingest([order, SegmentTestStore.track("viewer", "Viewed", millisecondsAgo: 60_000)])
        let cache = SegmentDefinitionCache()
        let step = try await test.processPending(cache: cache)
        let buyer = try await test.customer("buyer")
        let viewer = try await test.customer("viewer")
        #expect(step.customersToEvaluateAfterRescoring == [buyer])
        #expect(try step.segments?.get()["viewers"]?.entered == [viewer])
        #expect(try await test.store.segmentMembers(named: "buyers").isEmpty)
        let after = try await test.store.evaluateSegments(for: [buyer], at: SegmentTestStore.now, cache: cache)
        #expect(after["buyers"]?.entered == [buyer])
        #expect(after["viewers"] == nil)
    }

    /// A new customer is evaluated for the segments that read what it has and for those that hold
    /// for a customer without any data ("never did A"), not for the others; it enters both kinds.
    @Test func aNewCustomerEntersWhatHoldsWithoutData() async throws {
        let test = try SegmentTestStore()
        _ = try await test.store.createSegment(
            name: "never-a",
            condition: .not(.eventCount(EventCountCondition(name: "A")))
        )
        _ = try await test.store.createSegment(name: "did-b", condition: .eventCount(EventCountCondition(name: "B")))
        _ = try await test.store.createSegment(name: "did-c", condition: .eventCount(EventCountCondition(name: "C")))
        try await test.ingest([SegmentTestStore.track("u1", "B", millisecondsAgo: 1000)])
        let step = try await test.processPending()
        let customer = try await test.customer("u1")
        #expect(step.outcome.changes[customer]?.isNew == true)
        let changes = try #require(try step.segments?.get())
        #expect(changes["never-a"]?.entered == [customer])
        #expect(changes["did-b"]?.entered == [customer])
        #expect(changes["did-c"] == nil)
        #expect(try await test.store.backfillSegments(at: SegmentTestStore.now).entriesAndExits == 0)
    }

    /// Without segments nothing is evaluated, and the step still processes its events.
    @Test func withoutSegmentsNothingIsEvaluated() async throws {
        let test = try SegmentTestStore()
        try await test.ingest([SegmentTestStore.track("u1", "Viewed", millisecondsAgo: 1000)])
        let step = try await test.store.process(
            try await test.store.pendingEvents(limit: 10),
            evaluatingSegments: SegmentDefinitionCache(),
            windows: CustomerEventWindows()
        )
        #expect(step.outcome.events == 1)
        #expect(step.segments == nil)
        #expect(try await test.store.ingestStatus().pendingEvents == 0)
    }
}

extension JSONValue {
    /// This object with `key` set to `value`.
    fileprivate func setting(_ key: String, to value: JSONValue) -> JSONValue {
        guard var object = objectValue else { return self }
        object[key] = value
        return .object(object)
    }
}
