import Foundation
import PatronCore
import PatronSegments
import PatronStorage
import Testing

/// Triggers: a customer entering or leaving a segment queues a webhook in the same transaction as
/// the membership change, on the real-time path (processed events) and on backfill, with the
/// customer's ids, traits and segments; consent applies.
struct SegmentTriggerTests {
    @Test func enteringAndLeavingASegmentQueuesWebhooks() async throws {
        let test = try SegmentTestStore()
        let store = test.store
        _ = try await store.createSegment(
            name: "pro",
            condition: try SegmentCondition.parse(#"{"trait": "plan", "op": "eq", "value": "pro"}"#)
        )
        _ = try await store.createDestination(name: "crm", url: "https://crm.example.org/hook")
        _ = try await store.createDestination(name: "mail", url: "https://mail.example.org/hook", purpose: "email")
        _ = try await store.createTrigger(
            name: "welcome-pro",
            event: .segmentEntered,
            segment: "pro",
            destination: "crm"
        )
        _ = try await store.createTrigger(name: "pro-mail", event: .segmentEntered, segment: "pro", destination: "mail")
        _ = try await store.createTrigger(name: "lost-pro", event: .segmentExited, segment: "pro", destination: "crm")
        await #expect(throws: StoreError.self) {
            try await store.createTrigger(name: "x", event: .segmentEntered, segment: "nope", destination: "crm")
        }

        // Real time: the processed identify is re-evaluated for its customer (as ProcessingService does).
        try await test.send([try SegmentTestStore.identify("ann", #"{"plan": "pro", "email": "ann@example.org"}"#)])
        let ann = try #require(try await store.customerId(anyId: "ann"))
        let changes = try await store.evaluateSegments(for: [ann], at: SegmentTestStore.now)
        #expect(changes["pro"]?.entered == [ann])
        let entered = try #require(try await store.deliveries(destination: "crm").first)
        #expect(entered.eventType == "segment.entered" && entered.status == .pending && entered.customerId == ann)
        let payload = try JSONValue.parse(Data(entered.payload.utf8))
        #expect(payload["segment"]?.stringValue == "pro")
        #expect(payload["customer"]?["traits"]?["plan"]?.stringValue == "pro")
        #expect(payload["customer"]?["segments"]?.arrayValue == [.string("pro")])
        #expect(payload["customer"]?["ids"]?.arrayValue?.contains { $0["value"]?.stringValue == "ann" } == true)
        // The email destination needs an opt-in for email: the send is kept as suppressed.
        let mail = try #require(try await store.deliveries(destination: "mail").first)
        #expect(mail.status == .suppressed && mail.lastError?.contains("opted in to email") == true)

        // Evaluating again changes nothing and queues nothing.
        _ = try await store.evaluateSegments(for: [ann], at: SegmentTestStore.now)
        #expect(try await store.deliveries(destination: "crm").count == 1)

        // Backfill: the plan changed, so ann leaves and the exit trigger fires.
        try await test.send([try SegmentTestStore.identify("ann", #"{"plan": "free"}"#)])
        let backfill = try await store.backfillSegment(named: "pro", at: SegmentTestStore.now.addingTimeInterval(60))
        #expect(backfill.exited == [ann])
        let exits = try await store.deliveries(destination: "crm").filter { $0.eventType == "segment.exited" }
        #expect(exits.count == 1)
        #expect(try await store.triggers().map(\.name) == ["lost-pro", "pro-mail", "welcome-pro"])
    }
}

/// Segment stays appear in the customer's event timeline as `Segment Entered` / `Segment Exited`.
struct SegmentEventTimelineTests {
    @Test func enteringAndLeavingShowAsEventsNewestFirst() async throws {
        let test = try SegmentTestStore()
        let store = test.store
        _ = try await store.createSegment(
            name: "pro",
            condition: try SegmentCondition.parse(#"{"trait": "plan", "op": "eq", "value": "pro"}"#)
        )
        try await test.send([try SegmentTestStore.identify("ann", #"{"plan": "pro"}"#)])
        let ann = try #require(try await store.customerId(anyId: "ann"))
        _ = try await store.evaluateSegments(for: [ann], at: SegmentTestStore.now)
        try await test.send([try SegmentTestStore.identify("ann", #"{"plan": "free"}"#)])
        _ = try await store.evaluateSegments(for: [ann], at: SegmentTestStore.now.addingTimeInterval(3600))

        let events = try await store.events(customer: ann, limit: 10)
        let names = events.map { $0["event"]?.stringValue ?? $0["type"]?.stringValue ?? "?" }
        #expect(names == ["Segment Exited", "Segment Entered", "identify", "identify"])
        #expect(events[0]["properties"]?["segment_name"]?.stringValue == "pro")
        #expect(events[0]["timestamp"]?.stringValue == "2025-06-01T01:00:00.000Z")
        #expect(events[1]["timestamp"]?.stringValue == "2025-06-01T00:00:00.000Z")
        #expect(events[0]["messageId"]?.stringValue != events[1]["messageId"]?.stringValue)
        // The limit counts both kinds.
        #expect(try await store.events(customer: ann, limit: 1).count == 1)
    }
}
