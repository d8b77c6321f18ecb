import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PatronDelivery
import PatronStorage
import PatronTestSupport
import Synchronization
import Testing

/// Signed webhooks delivered over real loopback HTTP to a Hummingbird receiver: signatures, retries
/// with Retry-After, dead-lettering, 410 Gone, replay.
struct WebhookDeliveryTests {
    /// What the receiver saw, per path.
    final class Received: Sendable {
        struct Request: Sendable {
            var path: String
            var id: String
            var timestamp: String
            var signature: String
            var body: Data
        }

        let requests = Mutex<[Request]>([])

        func add(_ request: Request) -> Int {
            requests.withLock {
                $0.append(request)
                return $0.filter { $0.path == request.path && $0.id == request.id }.count
            }
        }

        func all(_ path: String) -> [Request] { requests.withLock { $0.filter { $0.path == path } } }
    }

    /// `/ok` answers 200; `/flaky` answers 503 with `Retry-After: 0` to the first two attempts of
    /// each message; `/gone` answers 410; `/broken` answers 500; `/picky` answers 500 to a body
    /// holding `refuse`, else 200.
    func receiver(_ received: Received) -> Router<BasicRequestContext> {
        let router = Router()
        for path in ["ok", "flaky", "gone", "broken", "slow", "picky"] {
            router.post(RouterPath(path)) { request, _ -> Response in
                let body = try await request.body.collect(upTo: 1 << 20)
                let seen = received.add(
                    Received.Request(
                        path: path,
                        id: request.headers[HTTPField.Name("webhook-id")!] ?? "",
                        timestamp: request.headers[HTTPField.Name("webhook-timestamp")!] ?? "",
                        signature: request.headers[HTTPField.Name("webhook-signature")!] ?? "",
                        body: Data(body.readableBytesView)
                    )
                )
                switch path {
                case "slow":
                    try await Task.sleep(for: .seconds(1))
                    return Response(status: .ok)
                case "flaky" where seen <= 2:
                    return Response(status: .serviceUnavailable, headers: [.retryAfter: "0"])
                case "picky" where String(decoding: body.readableBytesView, as: UTF8.self).contains("refuse"):
                    return Response(status: .internalServerError)
                case "gone": return Response(status: .gone)
                case "broken": return Response(status: .internalServerError)
                default: return Response(status: .ok)
                }
            }
        }
        return router
    }

    func store() throws -> SQLiteStore {
        try SQLiteStore(
            path: TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
                .path
        )
    }

    /// Runs a deliverer with a fast schedule until `done` holds (at most 20 s).
    func deliver(
        _ store: SQLiteStore,
        schedule: RetrySchedule = RetrySchedule(delays: [0.05, 0.05, 0.05], jitter: 0),
        until done: @Sendable () async throws -> Bool
    ) async throws {
        let deliverer = WebhookDeliverer(
            store: store,
            schedule: schedule,
            timeout: .seconds(5),
            pollInterval: .milliseconds(20),
            logger: Logger(label: "test")
        )
        let task = Task { try await deliverer.run() }
        defer { task.cancel() }
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if try await done() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("the deliveries did not settle within 20 s")
    }

    /// The signature of the Standard Webhooks specification's example, as computed by the
    /// `standardwebhooks` 1.1.0 package from PyPI (`Webhook(secret).sign(id, timestamp, body)`).
    @Test func signatureMatchesTheStandardWebhooksReference() {
        let signature = WebhookSignature.signature(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
            timestamp: 1_614_265_330,
            body: Data(#"{"test": 2432232314}"#.utf8),
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        )
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(WebhookSignature.signature(id: "x", timestamp: 1, body: Data(), secret: "not-a-secret") == nil)
    }

    @Test func retryScheduleBudgetJitterAndRetryAfter() {
        var generator = SystemRandomNumberGenerator()
        let schedule = RetrySchedule.standard
        for attempt in 1...10 {
            let delay = schedule.delay(afterAttempt: attempt, using: &generator) ?? -1
            let nominal = schedule.delays[attempt - 1]
            #expect(delay >= 0.8 * nominal && delay <= 1.2 * nominal)
        }
        #expect(schedule.delay(afterAttempt: 11, using: &generator) == nil)
        #expect(schedule.delay(afterAttempt: 1, retryAfter: 90, using: &generator) == 90)
        #expect(schedule.delay(afterAttempt: 1, retryAfter: 1e9, using: &generator) == 43_200)
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(RetrySchedule.retryAfterSeconds("120", now: now) == 120)
        #expect(RetrySchedule.retryAfterSeconds("Tue, 14 Nov 2023 22:15:20 GMT", now: now) == 120)  // now = 22:13:20
        #expect(RetrySchedule.retryAfterSeconds("soon", now: now) == nil)
    }

    @Test func signedDeliveryRetriesAfter503AndKeepsItsId() async throws {
        let received = Received()
        let store = try store()
        try await Application(router: receiver(received)).test(.live) { client in
            let port = try #require(client.port)
            let ok = try await store.createDestination(name: "email-tool", url: "http://127.0.0.1:\(port)/ok")
            _ = try await store.createDestination(name: "push", url: "http://127.0.0.1:\(port)/flaky")
            let first = try await store.enqueueDelivery(
                toDestination: "email-tool",
                eventType: "test",
                payload: #"{"n":1}"#
            )
            .webhookId
            let second = try await store.enqueueDelivery(toDestination: "push", eventType: "test", payload: #"{"n":2}"#)
                .webhookId
            try await deliver(store) {
                try await store.deliveries(status: .delivered).count == 2
            }
            // The receiver verifies the signature with the destination's secret.
            let request = try #require(received.all("ok").first)
            #expect(request.id == first)
            let expected = WebhookSignature.signature(
                id: request.id,
                timestamp: try #require(Int64(request.timestamp)),
                body: request.body,
                secret: try #require(ok.secrets.first)
            )
            #expect(request.signature == expected)
            #expect(String(decoding: request.body, as: UTF8.self) == #"{"n":1}"#)
            // The flaky endpoint saw three attempts of one message, all with the same webhook-id.
            let attempts = received.all("flaky")
            #expect(attempts.count == 3)
            #expect(Set(attempts.map(\.id)) == [second])
            let delivered = try #require(try await store.deliveries(destination: "push").first)
            #expect(delivered.attempts == 3 && delivered.lastStatusCode == 200)
        }
    }

    /// A message waiting for its retry (a minute away) does not hold back the one queued after it
    /// for the same destination.
    @Test func aMessageWaitingForItsRetryDoesNotHoldBackTheNextOne() async throws {
        let received = Received()
        let store = try store()
        try await Application(router: receiver(received)).test(.live) { client in
            let port = try #require(client.port)
            _ = try await store.createDestination(name: "crm", url: "http://127.0.0.1:\(port)/picky")
            let refused = try await store.enqueueDelivery(
                toDestination: "crm",
                eventType: "t",
                payload: #"{"refuse":1}"#
            )
            let accepted = try await store.enqueueDelivery(toDestination: "crm", eventType: "t", payload: #"{"n":2}"#)
            try await deliver(store, schedule: RetrySchedule(delays: [60, 60], jitter: 0)) {
                try await store.deliveries(status: .delivered).count == 1
            }
            #expect(received.all("picky").map(\.id) == [refused.webhookId, accepted.webhookId], "oldest first")
            let waiting = try #require(try await store.deliveries(status: .pending).first)
            #expect(waiting.webhookId == refused.webhookId && waiting.attempts == 1)
        }
    }

    @Test func deadLetterAfterTheBudgetThen410DisablesAndReplayRequeues() async throws {
        let received = Received()
        let store = try store()
        try await Application(router: receiver(received)).test(.live) { client in
            let port = try #require(client.port)
            _ = try await store.createDestination(name: "ads", url: "http://127.0.0.1:\(port)/broken")
            _ = try await store.createDestination(name: "old", url: "http://127.0.0.1:\(port)/gone")
            _ = try await store.enqueueDelivery(toDestination: "ads", eventType: "test", payload: "{}")
            _ = try await store.enqueueDelivery(toDestination: "old", eventType: "test", payload: "{}")
            try await deliver(store) { try await store.deliveries(status: .dead).count == 2 }
            let broken = try #require(try await store.deliveries(destination: "ads").first)
            #expect(broken.attempts == 4)  // the first attempt and three retries
            #expect(broken.lastError?.contains("retry budget") == true)
            #expect(received.all("broken").count == 4)
            let gone = try #require(try await store.destination(named: "old"))
            #expect(gone.disabledAt != nil)
            #expect(received.all("gone").count == 1)
            // Replay puts the dead ones back; the disabled destination waits until it is enabled.
            #expect(try await store.replayDeliveries(destination: "old") == 1)
            #expect(try await store.deliveries(status: .pending).count == 1)
            try await store.enableDestination(named: "old")
            try await deliver(store) { try await store.deliveries(status: .pending).isEmpty }
            #expect(received.all("gone").count == 2)
        }
    }

    /// A slow endpoint (1 s per answer, three messages queued) does not hold up another destination:
    /// the fast destination's message is delivered while the slow one is still busy with its first.
    @Test func aSlowEndpointDoesNotDelayTheOthers() async throws {
        let received = Received()
        let store = try store()
        try await Application(router: receiver(received)).test(.live) { client in
            let port = try #require(client.port)
            _ = try await store.createDestination(name: "slow", url: "http://127.0.0.1:\(port)/slow")
            _ = try await store.createDestination(name: "fast", url: "http://127.0.0.1:\(port)/ok")
            for index in 0..<3 {
                _ = try await store.enqueueDelivery(
                    toDestination: "slow",
                    eventType: "test",
                    payload: #"{"n":\#(index)}"#
                )
            }
            _ = try await store.enqueueDelivery(toDestination: "fast", eventType: "test", payload: "{}")
            try await deliver(store) { try await store.deliveries(status: .delivered, destination: "fast").count == 1 }
            // When the fast one arrived, the slow destination had not finished its first message.
            #expect(try await store.deliveries(status: .delivered, destination: "slow").isEmpty)
            try await deliver(store) { try await store.deliveries(status: .delivered).count == 4 }
            // The first deliverer was stopped mid-request: that message is sent again with the same
            // webhook-id (at least once), so the receiver sees 3 distinct ids in 3 or 4 requests.
            #expect(Set(received.all("slow").map(\.id)).count == 3)
            #expect((3...4).contains(received.all("slow").count))
        }
    }

    @Test func rotationSignsWithBothSecretsAndBadInputIsRefused() async throws {
        let store = try store()
        let created = try await store.createDestination(name: "crm", url: "https://crm.example.org/hook")
        let rotated = try await store.rotateSecret(ofDestination: "crm")
        #expect(rotated.signingSecrets.count == 2 && rotated.signingSecrets.first == created.secrets.first)
        let headers = WebhookSignature.headers(
            id: "msg_1",
            timestamp: 5,
            body: Data("{}".utf8),
            secrets: rotated.signingSecrets
        )
        #expect(headers.first { $0.0 == "webhook-signature" }?.1.split(separator: " ").count == 2)
        await #expect(throws: StoreError.self) { try await store.createDestination(name: "crm", url: "https://x.org") }
        await #expect(throws: StoreError.self) { try await store.createDestination(name: "ftp", url: "ftp://x.org") }
        await #expect(throws: StoreError.self) {
            try await store.createDestination(name: "bad", url: "https://x.org", secret: "whsec_short")
        }
    }
}
