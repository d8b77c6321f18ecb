import Foundation
import Logging
import PatronCore
import PatronTestSupport
import Testing

@testable import PatronDelivery
@testable import PatronStorage

/// Consent is checked before every send (when queued and again when sent) and frequency caps count
/// per customer and destination in the customer's time zone; suppressed sends are kept with the
/// reason.
struct ConsentAndCapTests {
    func store() throws -> SQLiteStore {
        try SQLiteStore(
            path: TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
                .path
        )
    }

    func send(_ events: String, to store: SQLiteStore) async throws {
        let request = try SegmentRequest.parse(body: Data(events.utf8), single: nil, receivedAt: Date())
        _ = try await store.ingest(IngestBatch(source: "web", accepted: request.accepted, rejected: request.rejected))
        try await store.processAll()
    }

    @Test func consentFromEventsAndTheUnsubscribeAPIIsCheckedBeforeEverySend() async throws {
        let store = try store()
        try await send(
            #"{"batch":[{"type":"identify","userId":"ann","messageId":"m1","timestamp":"2025-01-01T09:00:00Z","#
                + #""context":{"consent":{"categoryPreferences":{"Email":true,"Advertising":false}}}}]}"#,
            to: store
        )
        let ann = try #require(try await store.customerId(anyId: "ann"))
        let consents = try await store.consents(customerId: ann)
        #expect(consents.map(\.purpose) == ["advertising", "email"])
        #expect(consents.allSatisfy { $0.source == "event" })
        _ = try await store.createDestination(name: "email", url: "http://127.0.0.1:9/x", purpose: "email")
        _ = try await store.createDestination(
            name: "ads",
            url: "http://127.0.0.1:9/x",
            purpose: "advertising",
            consentPolicy: .optOut
        )
        _ = try await store.createDestination(name: "push", url: "http://127.0.0.1:9/x", purpose: "push")
        let email = try await store.enqueueDelivery(
            toDestination: "email",
            eventType: "t",
            customerId: ann,
            payload: "{}"
        )
        let ads = try await store.enqueueDelivery(toDestination: "ads", eventType: "t", customerId: ann, payload: "{}")
        let push = try await store.enqueueDelivery(
            toDestination: "push",
            eventType: "t",
            customerId: ann,
            payload: "{}"
        )
        #expect(email.status == .pending)
        #expect(ads.status == .suppressed && ads.reason == "no consent: the customer revoked advertising")
        #expect(push.status == .suppressed && push.reason == "no consent: the customer has not opted in to push")

        // Unsubscribed from everything after the email was queued: it is suppressed when sent.
        try await store.setConsent(customerId: ann, purpose: "all", granted: false)
        let deliverer = WebhookDeliverer(store: store, pollInterval: .milliseconds(10), logger: Logger(label: "test"))
        let task = Task { try await deliverer.run() }
        defer { task.cancel() }
        var settled = false
        for _ in 0..<500 where !settled {
            settled = try await store.deliveries(destination: "email").first?.status == .suppressed
            if !settled { try await Task.sleep(for: .milliseconds(10)) }
        }
        let suppressed = try #require(try await store.deliveries(destination: "email").first)
        #expect(suppressed.status == .suppressed)
        #expect(suppressed.lastError == "no consent: the customer unsubscribed from everything")
        #expect(suppressed.attempts == 0)  // never sent
        // An older statement arriving late does not undo the newer one.
        try await store.setConsent(customerId: ann, purpose: "all", granted: true, at: Date(timeIntervalSince1970: 0))
        #expect(try await store.consents(customerId: ann).first { $0.purpose == "all" }?.granted == false)
    }

    /// Cap 1/day. At 10:00 UTC on 1 January both customers get a message; at 11:30 UTC it is already
    /// 2 January in Auckland (UTC+13), so the Auckland customer gets another one and the UTC one is capped.
    @Test func frequencyCapsCountPerCustomerInTheirTimeZone() async throws {
        let store = try store()
        try await send(
            #"{"batch":[{"type":"identify","userId":"kiri","messageId":"m1","timestamp":"2024-12-01T00:00:00Z","traits":{"timezone":"Pacific/Auckland"}},"#
                + #"{"type":"identify","userId":"bob","messageId":"m2","timestamp":"2024-12-01T00:00:00Z","traits":{"name":"Bob"}}]}"#,
            to: store
        )
        let kiri = try #require(try await store.customerId(anyId: "kiri"))
        let bob = try #require(try await store.customerId(anyId: "bob"))
        _ = try await store.createDestination(
            name: "sms",
            url: "http://127.0.0.1:9/x",
            frequencyCap: FrequencyCap(count: 1, period: .day)
        )
        let morning = Date(timeIntervalSince1970: 1_735_725_600)  // 2025-01-01T10:00:00Z
        let later = morning.addingTimeInterval(5_400)  // 11:30Z
        for customer in [kiri, bob] {
            let first = try await store.enqueueDelivery(
                toDestination: "sms",
                eventType: "t",
                customerId: customer,
                payload: "{}",
                at: morning
            )
            #expect(first.status == .pending)
        }
        let kiriAgain = try await store.enqueueDelivery(
            toDestination: "sms",
            eventType: "t",
            customerId: kiri,
            payload: "{}",
            at: later
        )
        let bobAgain = try await store.enqueueDelivery(
            toDestination: "sms",
            eventType: "t",
            customerId: bob,
            payload: "{}",
            at: later
        )
        #expect(kiriAgain.status == .pending)
        #expect(bobAgain.status == .suppressed)
        #expect(bobAgain.reason?.hasPrefix("frequency cap 1/day reached") == true)
        #expect(bobAgain.reason?.contains("UTC") == true)
        #expect(FrequencyCap(parsing: "3/week") == FrequencyCap(count: 3, period: .week))
        #expect(FrequencyCap(parsing: "0/day") == nil && FrequencyCap(parsing: "2/year") == nil)
    }

    /// The deliverer's read of due deliveries checks their consent in the same read, skips the
    /// destinations whose worker runs, and a destination's next read sees it disabled.
    @Test func dueDeliveriesComeWithTheirConsentCheck() async throws {
        let store = try store()
        try await send(#"{"batch":[{"type":"identify","userId":"ann","messageId":"m1"}]}"#, to: store)
        let ann = try #require(try await store.customerId(anyId: "ann"))
        let email = try await store.createDestination(
            name: "email",
            url: "http://127.0.0.1:9/x",
            purpose: "email",
            consentPolicy: .optOut
        )
        _ = try await store.enqueueDelivery(toDestination: "email", eventType: "t", customerId: ann, payload: "{}")
        let allowed = try await store.dueDeliveries(at: Date())
        #expect(allowed.map(\.destination.name) == ["email"])
        #expect(allowed.first?.deliveries.map(\.refusal) == [nil])
        try await store.setConsent(customerId: ann, purpose: "email", granted: false)
        let refused = try await store.dueDeliveries(at: Date())
        #expect(refused.first?.deliveries.map(\.refusal) == ["no consent: the customer revoked email"])
        #expect(try await store.dueDeliveries(at: Date(), excluding: [email.id]).isEmpty, "its worker reads its own")
        #expect(try await store.dueDeliveries(ofDestination: email.id, at: Date())?.deliveries.count == 1)
        #expect(try await store.dueDeliveries(ofDestination: email.id + 1, at: Date()) == nil, "no such destination")
        // A 410 Gone disables the destination (and dead-letters the message).
        let queued = try #require(refused.first?.deliveries.first?.delivery)
        try await store.recordAttempt(queued, outcome: .gone, at: Date(), milliseconds: 1)
        #expect(try await store.dueDeliveries(ofDestination: email.id, at: Date()) == nil, "disabled")
    }

    /// A consent check read longer than ``WebhookDeliverer/consentCheckLifetime`` before the send
    /// (after slow answers to the deliveries before it) is made again: consent revoked since the
    /// read suppresses the message.
    @Test func aConsentCheckPastItsLifetimeIsMadeAgainBeforeTheSend() async throws {
        let store = try store()
        try await send(#"{"batch":[{"type":"identify","userId":"ann","messageId":"m1"}]}"#, to: store)
        let ann = try #require(try await store.customerId(anyId: "ann"))
        _ = try await store.createDestination(
            name: "email",
            url: "http://127.0.0.1:9/x",
            purpose: "email",
            consentPolicy: .optOut
        )
        _ = try await store.enqueueDelivery(toDestination: "email", eventType: "t", customerId: ann, payload: "{}")
        let read = try #require(try await store.dueDeliveries(at: Date()).first)
        #expect(read.deliveries.map(\.refusal) == [nil])
        try await store.setConsent(customerId: ann, purpose: "all", granted: false)
        let stale = DueDeliveries(
            destination: read.destination,
            deliveries: read.deliveries,
            readAt: .now - WebhookDeliverer.consentCheckLifetime - .milliseconds(1)
        )
        await WebhookDeliverer(store: store, logger: Logger(label: "test")).drain(stale)
        let delivery = try #require(try await store.deliveries(destination: "email").first)
        #expect(delivery.status == .suppressed)
        #expect(delivery.lastError == "no consent: the customer unsubscribed from everything")
        #expect(delivery.attempts == 0, "never sent")
    }
}
