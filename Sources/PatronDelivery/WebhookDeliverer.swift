public import AsyncHTTPClient
import Foundation
public import Logging
import NIOCore
import NIOHTTP1
public import PatronStorage
public import ServiceLifecycle
import Synchronization

/// Sends the outbox: each destination with due deliveries gets its own worker that sends them one
/// at a time, oldest first, so a slow or dead endpoint only delays itself. Each message keeps its
/// own retry schedule: one waiting for a retry does not hold back those queued after it (a message
/// an endpoint keeps refusing would otherwise stop the destination for the whole schedule, about a
/// day). A 2xx answer delivers; 410 Gone disables
/// the destination and dead-letters the message; anything else (timeouts, refused connections, 429,
/// 5xx, other 4xx) is retried on the ``RetrySchedule`` (honouring `Retry-After`) until the budget is
/// spent, then dead-lettered for `patron deliveries replay`. Every attempt is logged in the store.
///
/// Delivery is at least once: a message whose answer is lost (crash, shutdown mid-request) is sent
/// again with the same `webhook-id`, which receivers use to deduplicate.
public struct WebhookDeliverer: Service {
    let store: SQLiteStore
    let client: HTTPClient
    let schedule: RetrySchedule
    let timeout: Duration
    let pollInterval: Duration
    let logger: Logger

    /// Creates a deliverer.
    /// - Parameters:
    ///   - timeout: the longest wait for one answer.
    ///   - pollInterval: how often the outbox is checked for due deliveries.
    public init(
        store: SQLiteStore,
        client: HTTPClient = .shared,
        schedule: RetrySchedule = .standard,
        timeout: Duration = .seconds(10),
        pollInterval: Duration = .milliseconds(5),
        logger: Logger
    ) {
        self.store = store
        self.client = client
        self.schedule = schedule
        self.timeout = timeout
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Runs until graceful shutdown or cancellation.
    public func run() async throws {
        let workers = DestinationWorkers()
        await withDiscardingTaskGroup { group in
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                // A webhook queued (or released by a sync) during the read below ends the wait after it.
                let signalsBeforeRead = SQLiteStore.deliveriesQueued.signals
                do {
                    // The first deliveries of each destination come with the read that finds them.
                    for due in try await store.dueDeliveries(at: Date(), excluding: workers.running)
                    where workers.start(due.destination.id) {
                        group.addTask {
                            await drain(due)
                            workers.finish(due.destination.id)
                        }
                    }
                } catch {
                    // Cancelled (shutdown) mid-read: nothing to report.
                    if Task.isCancelled { break }
                    logger.error("webhook deliverer: could not read the outbox: \(error)")
                }
                // A webhook queued by this process (a segment entry, a trigger) ends the wait at once.
                await SQLiteStore.deliveriesQueued.wait(upTo: pollInterval, unlessSignalledSince: signalsBeforeRead)
            }
            group.cancelAll()
        }
    }

    /// How long a consent check read with the due deliveries holds: a delivery sent later (after
    /// slow answers to the ones before it) is checked again just before it is sent.
    static let consentCheckLifetime: Duration = .milliseconds(100)

    /// Sends the destination's deliveries, `first` then those due at each read after it, until none
    /// is due or the destination is disabled.
    func drain(_ first: DueDeliveries) async {
        var generator = SystemRandomNumberGenerator()
        var due = first
        while !Task.isCancelled && !due.isEmpty {
            let destination = due.destination
            for (delivery, refusalWhenRead) in due.deliveries {
                // Consent may have been revoked since the message was queued.
                let refusal =
                    ContinuousClock.now - due.readAt <= Self.consentCheckLifetime
                    ? refusalWhenRead : try? await store.sendRefusal(delivery)
                if let reason = refusal {
                    try? await store.recordAttempt(
                        delivery,
                        outcome: .suppressed(reason: reason),
                        at: Date(),
                        milliseconds: 0
                    )
                    continue
                }
                let started = ContinuousClock.now
                let answer = await send(delivery, to: destination)
                guard !Task.isCancelled else { return }  // shutdown mid-request: sent again later
                let elapsed = ContinuousClock.now - started
                let now = Date()
                let outcome = Self.outcome(
                    of: answer,
                    attempt: delivery.attempts + 1,
                    schedule: schedule,
                    now: now,
                    using: &generator
                )
                do {
                    try await store.recordAttempt(
                        delivery,
                        outcome: outcome,
                        at: now,
                        milliseconds: Double(elapsed.components.attoseconds) * 1e-15
                            + Double(elapsed.components.seconds) * 1e3
                    )
                } catch {
                    // Cancelled before the attempt was recorded: it is sent again after the restart.
                    if Task.isCancelled { return }
                    logger.error("webhook deliverer: could not record an attempt of \(delivery.webhookId): \(error)")
                    return
                }
                if case .gone = outcome {
                    logger.warning("destination \(destination.name) answered 410 Gone: disabled")
                    return
                }
            }
            do {
                guard let next = try await store.dueDeliveries(ofDestination: destination.id, at: Date()) else {
                    return
                }
                due = next
            } catch {
                if Task.isCancelled { return }
                logger.error("webhook deliverer: could not read deliveries of \(destination.name): \(error)")
                return
            }
        }
    }

    /// What an endpoint answered: a status with its `Retry-After`, or a transport error.
    enum Answer: Sendable {
        case status(Int, retryAfter: String?)
        case failure(String)
    }

    /// Sends one signed attempt.
    func send(_ delivery: Delivery, to destination: Destination) async -> Answer {
        let body = Data(delivery.payload.utf8)
        var request = HTTPClientRequest(url: destination.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "patron-webhooks/1")
        for (name, value) in destination.headers { request.headers.add(name: name, value: value) }
        let timestamp = Int64(Date().timeIntervalSince1970)
        for (name, value) in WebhookSignature.headers(
            id: delivery.webhookId,
            timestamp: timestamp,
            body: body,
            secrets: destination.signingSecrets
        ) {
            request.headers.replaceOrAdd(name: name, value: value)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(
                request,
                timeout: .nanoseconds(
                    Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
                )
            )
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return .status(Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"))
        } catch {
            return .failure("\(error)")
        }
    }

    /// The outcome of attempt number `attempt` given its answer.
    static func outcome(
        of answer: Answer,
        attempt: Int,
        schedule: RetrySchedule,
        now: Date,
        using generator: inout some RandomNumberGenerator
    ) -> DeliveryAttemptOutcome {
        switch answer {
        case .status(let code, _) where (200..<300).contains(code):
            return .delivered(statusCode: code)
        case .status(410, _):
            return .gone
        case .status(let code, let retryAfter):
            let wait = RetrySchedule.retryAfterSeconds(retryAfter, now: now)
            let error = "HTTP \(code)"
            guard let delay = schedule.delay(afterAttempt: attempt, retryAfter: wait, using: &generator) else {
                return .dead(statusCode: code, error: error + " (retry budget of \(attempt) attempts spent)")
            }
            return .retry(statusCode: code, error: error, nextAttemptAt: now.addingTimeInterval(delay))
        case .failure(let message):
            guard let delay = schedule.delay(afterAttempt: attempt, using: &generator) else {
                return .dead(statusCode: nil, error: message + " (retry budget of \(attempt) attempts spent)")
            }
            return .retry(statusCode: nil, error: message, nextAttemptAt: now.addingTimeInterval(delay))
        }
    }
}

/// The destinations whose worker is running (at most one per destination).
final class DestinationWorkers: Sendable {
    private let ids = Mutex<Set<Int64>>([])

    /// Marks `id` as running; `false` when it already was.
    func start(_ id: Int64) -> Bool { ids.withLock { $0.insert(id).inserted } }

    /// The destinations whose worker is running now.
    var running: Set<Int64> { ids.withLock { $0 } }

    /// Marks `id` as finished.
    func finish(_ id: Int64) { ids.withLock { _ = $0.remove(id) } }
}
