import Foundation
import GRDB
import PatronCore
import PatronSegments
import PatronStorage
import Testing

/// `event.matched` triggers: a processed `track` event of the trigger's name that passes its
/// filter (event properties, a condition on the customer) queues one webhook carrying the event and
/// the customer, through a durable cursor; events stored before the trigger existed never fire it.
struct EventTriggerTests {
    /// A `Cart Abandoned` event of `userId` with the cart's value.
    static func cartAbandoned(_ userId: String, value: Double) -> JSONValue {
        var event = SegmentTestStore.track(userId, "Cart Abandoned", millisecondsAgo: 1000)
        if case .object(var members) = event {
            members["properties"] = .object(["cart": .object(["value": .number(value)])])
            event = .object(members)
        }
        return event
    }

    @Test func matchingEventsQueueOneWebhookEachWithTheEventAndTheCustomer() async throws {
        let test = try SegmentTestStore()
        let store = test.store
        _ = try await store.createDestination(name: "push", url: "https://push.example.org/hook")
        // Stored before the trigger: never fires it.
        try await test.send([Self.cartAbandoned("early", value: 500)])
        let filter = try EventTriggerFilter.parse(
            #"""
            {"properties": [{"property": "cart.value", "op": "gt", "value": 50}],
             "customer": {"trait": "plan", "op": "eq", "value": "pro"}}
            """#
        )
        let trigger = try await store.createEventTrigger(
            name: "big-cart",
            eventName: "Cart Abandoned",
            filter: filter,
            destination: "push"
        )
        #expect(trigger.event == .eventMatched && trigger.eventName == "Cart Abandoned" && trigger.segment == nil)
        try await test.send([
            try SegmentTestStore.identify("ann", #"{"plan": "pro"}"#),
            try SegmentTestStore.identify("bob", #"{"plan": "free"}"#),
            Self.cartAbandoned("ann", value: 80),  // fires
            Self.cartAbandoned("ann", value: 20),  // property fails
            Self.cartAbandoned("bob", value: 90),  // customer condition fails
            SegmentTestStore.track("ann", "Order Completed", millisecondsAgo: 10),  // other name
            Self.cartAbandoned("early", value: 70),  // no plan trait: customer condition fails
        ])
        #expect(try await store.fireEventTriggers(at: SegmentTestStore.now) == 1)
        let deliveries = try await store.deliveries(destination: "push")
        let ann = try #require(try await store.customerId(anyId: "ann"))
        #expect(deliveries.count == 1)
        let delivery = try #require(deliveries.first)
        #expect(delivery.eventType == "event.matched" && delivery.customerId == ann && delivery.status == .pending)
        let payload = try JSONValue.parse(Data(delivery.payload.utf8))
        #expect(payload["trigger"]?.stringValue == "big-cart")
        #expect(payload["event"]?["event"]?.stringValue == "Cart Abandoned")
        #expect(payload["event"]?["properties"]?["cart"]?["value"] == .number(80))
        #expect(payload["customer"]?["traits"]?["plan"]?.stringValue == "pro")

        // The cursor is durable: matching again (or after reopening the store) queues nothing more.
        #expect(try await store.fireEventTriggers(at: SegmentTestStore.now) == 0)
        let reopened = try SQLiteStore(path: store.path)
        #expect(try await reopened.fireEventTriggers(at: SegmentTestStore.now) == 0)
        #expect(try await reopened.deliveries(destination: "push").count == 1)

        // A later matching event fires once more.
        try await test.send([Self.cartAbandoned("ann", value: 51)])
        #expect(try await store.fireEventTriggers(at: SegmentTestStore.now) == 1)
        #expect(try await store.deliveries(destination: "push").count == 2)
    }

    /// A store with an `any-cart` trigger (no filter) to destination `ads`, and then `carts`
    /// processed `Cart Abandoned` events of as many customers.
    static func storeWithAnyCartTrigger(carts: Int) async throws -> SQLiteStore {
        let test = try SegmentTestStore()
        _ = try await test.store.createDestination(name: "ads", url: "https://ads.example.org/hook")
        _ = try await test.store.createEventTrigger(
            name: "any-cart",
            eventName: "Cart Abandoned",
            filter: nil,
            destination: "ads"
        )
        try await test.send((0..<carts).map { Self.cartAbandoned("u\($0)", value: Double($0)) })
        return test.store
    }

    /// The processing loop matches a step's events only once their customers are re-scored: it
    /// gives the last event the matching may reach, and the events after it wait for a later call.
    @Test func matchingStopsAtTheEventItIsGiven() async throws {
        let store = try await Self.storeWithAnyCartTrigger(carts: 5)
        let ids = try await DatabaseQueue(path: store.path).read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM event ORDER BY id")
        }
        #expect(ids.count == 5)
        #expect(try await store.fireEventTriggers(through: ids[1], at: SegmentTestStore.now) == 2)
        #expect(try await store.fireEventTriggers(through: ids[1], at: SegmentTestStore.now) == 0)
        #expect(try await store.fireEventTriggers(limit: 2, through: ids[3], at: SegmentTestStore.now) == 2)
        #expect(try await store.fireEventTriggers(at: SegmentTestStore.now) == 1)
        #expect(try await store.deliveries(destination: "ads").count == 5)
    }

    @Test func withoutFilterEveryEventOfTheNameFiresInSmallSteps() async throws {
        let store = try await Self.storeWithAnyCartTrigger(carts: 7)
        // Three candidates per transaction: the cursor advances over several steps, each once.
        #expect(try await store.fireEventTriggers(limit: 3, at: SegmentTestStore.now) == 7)
        let customers = try await store.deliveries(destination: "ads").compactMap(\.customerId)
        #expect(Set(customers).count == 7)
        #expect(try await store.triggers().map(\.source) == [#"event.matched "Cart Abandoned""#])
    }

    @Test func invalidFiltersAndTriggersAreRejectedWithWhereAndWhy() async throws {
        let test = try SegmentTestStore()
        let store = test.store
        _ = try await store.createDestination(name: "ads", url: "https://ads.example.org/hook")
        #expect(throws: SegmentError.self) { try EventTriggerFilter.parse("{") }
        do {
            _ = try EventTriggerFilter.parse(#"{"properties": [{"property": "v", "op": "gt"}]}"#)
            Issue.record("a comparison without a value was accepted")
        } catch {
            #expect(error.path == "properties[0].value")
        }
        do {
            _ = try EventTriggerFilter.parse(#"{"propertes": []}"#)
            Issue.record("an unknown key was accepted")
        } catch {
            #expect(error.message.contains("propertes"))
        }
        let onSegment = try EventTriggerFilter.parse(#"{"customer": {"segment": "missing"}}"#)
        await #expect(throws: SegmentError.self) {
            try await store.createEventTrigger(name: "x", eventName: "E", filter: onSegment, destination: "ads")
        }
        await #expect(throws: SegmentError.self) {
            try await store.createEventTrigger(name: "x", eventName: "E", filter: nil, destination: "nowhere")
        }
        await #expect(throws: StoreError.self) {
            try await store.createTrigger(name: "y", event: .eventMatched, segment: "s", destination: "ads")
        }
        // A filter's JSON form reads back to the same filter.
        let filter = try EventTriggerFilter.parse(
            #"{"properties": [{"property": "a.b", "op": "in", "value": ["x", "y"]}], "customer": {"segment": "s"}}"#
        )
        #expect(try EventTriggerFilter(json: filter.json) == filter)
    }
}
