import Hummingbird
import PatronCore
import PatronStorage
public import Prometheus

/// The Prometheus metrics of a server: events accepted, duplicates, quarantined by reason,
/// rejected requests by status, and request latency per route. Each application has its own
/// registry (no global state), exposed at `/metrics`.
public final class ServerMetrics: Sendable {
    /// The registry behind `/metrics`.
    public let registry: PrometheusCollectorRegistry
    let accepted: Counter
    let duplicates: Counter
    let quarantined: [QuarantineReason: Counter]
    let processed: Counter
    let rescored: Counter
    let rescoreDuration: DurationHistogram
    let segmentChanges: Counter
    let segmentEvaluationDuration: DurationHistogram
    let eventTriggerWebhooks: Counter
    let processingStepDuration: DurationHistogram
    let processingLag: Gauge
    let processingCatchUpSteps: Counter
    let processingPauseDuration: DurationHistogram
    let logRestartPassDuration: DurationHistogram

    /// Creates the metrics in a new registry.
    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        accepted = registry.makeCounter(descriptor: Self.name("events_accepted", "total", "Events stored (durable)."))
        duplicates = registry.makeCounter(
            descriptor: Self.name(
                "events_duplicate",
                "total",
                "Events acknowledged but not stored again (messageId already stored for the source)."
            )
        )
        var quarantined: [QuarantineReason: Counter] = [:]
        for reason in QuarantineReason.allCases {
            quarantined[reason] = registry.makeCounter(
                descriptor: Self.name("events_quarantined", "total", "Events put in quarantine, by reason."),
                labels: [("reason", reason.rawValue)]
            )
        }
        self.quarantined = quarantined
        processed = registry.makeCounter(
            descriptor: Self.name("events_processed", "total", "Events turned into customer data.")
        )
        rescored = registry.makeCounter(
            descriptor: Self.name("customers_rescored", "total", "Customers re-scored after an order or refund.")
        )
        rescoreDuration = registry.makeDurationHistogram(
            descriptor: Self.name(
                "rescore_duration",
                "seconds",
                "Time to re-score the customers of one processing step (read summaries, score, write)."
            ),
            buckets: Self.stepBuckets
        )
        segmentChanges = registry.makeCounter(
            descriptor: Self.name("segment_changes", "total", "Segment entries and exits found on processed events.")
        )
        eventTriggerWebhooks = registry.makeCounter(
            descriptor: Self.name(
                "event_trigger_webhooks",
                "total",
                "Webhooks queued by event.matched triggers (including those suppressed by consent or caps)."
            )
        )
        segmentEvaluationDuration = registry.makeDurationHistogram(
            descriptor: Self.name(
                "segment_evaluation_duration",
                "seconds",
                "Time to re-evaluate every segment for the customers of one processing step (read facts, evaluate, record, fire triggers)."
            ),
            buckets: Self.stepBuckets
        )
        processingStepDuration = registry.makeDurationHistogram(
            descriptor: Self.name(
                "processing_step_duration",
                "seconds",
                "Time of one processing step that turned events into customer data (waiting for its events to be read, recording them, re-evaluating segments)."
            ),
            buckets: Self.stepBuckets
        )
        processingLag = registry.makeGauge(
            descriptor: Self.name(
                "processing_lag",
                "seconds",
                "How long before the last processing step the last event it processed was received (0 when nothing was pending)."
            )
        )
        processingCatchUpSteps = registry.makeCounter(
            descriptor: Self.name(
                "processing_catch_up_steps",
                "total",
                "Processing steps taken while more than 100 ms behind ingest, in larger batches."
            )
        )
        processingPauseDuration = registry.makeDurationHistogram(
            descriptor: Self.name(
                "processing_pause_duration",
                "seconds",
                "Pauses of processing while behind, giving the writer to ingest: to measure the clients' pace, or in a bulk load."
            ),
            buckets: Self.stepBuckets
        )
        logRestartPassDuration = registry.makeDurationHistogram(
            descriptor: Self.name(
                "log_restart_pass_duration",
                "seconds",
                "Time the write-ahead log restart's last checkpoint pass held the writer (every commit waits for it; about once a second at 10,000 events/s)."
            ),
            buckets: Self.stepBuckets
        )
    }

    static let stepBuckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(100), .seconds(1),
    ]

    func record(_ outcome: IngestOutcome, rejected: [RejectedEvent]) {
        accepted.increment(by: Int64(outcome.stored))
        duplicates.increment(by: Int64(outcome.duplicates))
        for event in rejected { quarantined[event.reason]?.increment() }
    }

    func recordRejectedRequest(status: Int) {
        registry.makeCounter(
            descriptor: Self.name("requests_rejected", "total", "Tracking requests answered with an error, by status."),
            labels: [("status", String(status))]
        ).increment()
    }

    func latency(route: String, status: Int) -> DurationHistogram {
        registry.makeDurationHistogram(
            descriptor: Self.name(
                "http_request_duration",
                "seconds",
                "Time to answer an HTTP request, by route and status."
            ),
            labels: [("route", route), ("status", String(status))],
            buckets: Self.latencyBuckets
        )
    }

    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
    ]

    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "patron", metricName: metric, unitName: unit, helpText: help)
    }
}

/// Records each request's latency in ``ServerMetrics``.
struct LatencyMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            metrics.latency(route: context.endpointPath ?? "unmatched", status: Int(response.status.code))
                .record(ContinuousClock.now - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.latency(route: context.endpointPath ?? "unmatched", status: status).record(
                ContinuousClock.now - start
            )
            throw error
        }
    }
}
