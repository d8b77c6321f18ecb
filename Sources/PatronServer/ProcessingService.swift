public import Foundation
public import Logging
public import PatronCore
import PatronInsights
import PatronSegments
public import PatronStorage
import Prometheus
public import ServiceLifecycle

/// Turns stored events into customers in the background, from the store's durable cursor,
/// until graceful shutdown; in each step's transaction, re-evaluates the segments that the step's
/// changes can move for each customer they touched, firing triggers (see
/// ``SQLiteStore/process(_:rules:evaluatingSegments:windows:at:)``); then re-scores the customers
/// whose orders changed with the active model version and evaluates their segments; alongside, off
/// the steps' path, it matches the processed events against the `event.matched` triggers.
/// An event ingested by this server wakes it at once (idle polls, 5 ms apart, catch events stored by
/// other processes), so a new event reaches its profile, score and segments within milliseconds.
public struct ProcessingService: Service {
    let store: SQLiteStore
    let metrics: ServerMetrics
    let logger: Logger
    let rules: IdentityRules
    let rescorer: Rescorer
    let segmentDefinitions = SegmentDefinitionCache()
    /// Recently active customers' event times, so that counting their events needs no read.
    let eventWindows = CustomerEventWindows()

    /// Events per step while tracking requests wait for the writer: every group commit queued behind
    /// a step waits for it, so steps stay short (about 15 ms) but large enough that processing keeps
    /// up with more than 10,000 events/s (each step also has a fixed cost of a few reads).
    static let stepWhileIngestWaits = 200

    /// Events per step while no tracking request waits.
    static let stepWhileIngestIsQuiet = 500

    /// Events per step while processing is more than ``lagBeforeCatchingUp`` behind (in a bulk load
    /// too, so that processing's pace compares with ingest's the same way; see ``ProcessingPace``).
    /// A larger step spreads its fixed costs (reads, a commit, the pages a commit writes once however
    /// many of the step's customers they hold) over more events, so a backlog is caught up sooner,
    /// at the price of a longer wait for the group commits queued behind it. At a steady 10,000
    /// events/s, 200-event steps fell behind for good (about 5,000 events/s), and 1,000-event steps
    /// keep up at about 10,000 (BENCHMARKS.md §5).
    static let stepWhileCatchingUp = 1000

    /// How far behind ingest processing must be to take ``stepWhileCatchingUp`` steps.
    static let lagBeforeCatchingUp: Duration = .milliseconds(100)

    /// The longest pause between polls when nothing is pending: events ingested by this server end
    /// it at once (``SQLiteStore/changes``); the poll catches events stored by another process.
    static let idlePoll: Duration = .milliseconds(5)

    /// Creates the service.
    public init(store: SQLiteStore, metrics: ServerMetrics, logger: Logger, rules: IdentityRules = IdentityRules()) {
        self.store = store
        self.metrics = metrics
        self.logger = logger
        self.rules = rules
        rescorer = Rescorer(store: store)
    }

    /// Processes until shutdown; a failing step is logged and retried after a pause (events stay
    /// pending, nothing is lost). Event triggers are matched alongside, after each step that
    /// processed events (``matchEventTriggers(through:)``).
    public func run() async throws {
        // The last event whose step is done (customers re-scored too): the matching may go up to it.
        // Only the latest mark is kept.
        let (marks, marking) = AsyncStream.makeStream(of: Int64.self, bufferingPolicy: .bufferingNewest(1))
        async let matching: Void = matchEventTriggers(through: marks)
        defer { marking.finish() }
        try await processSteps(marking: marking)
        marking.finish()
        await matching
    }

    /// Matches the processed events against the `event.matched` triggers, on their own durable
    /// cursor, up to each mark of `marks` (the last event of a step done, re-scoring included, so
    /// that a customer condition sees the new scores), off the processing loop, so that a step does
    /// not wait for it; until `marks` finishes. A failure is logged and the same mark retried a
    /// second later (batches not recorded are matched again: nothing is lost or queued twice).
    private func matchEventTriggers(through marks: AsyncStream<Int64>) async {
        for await mark in marks {
            while true {
                do {
                    metrics.eventTriggerWebhooks.increment(by: Int64(try await store.fireEventTriggers(through: mark)))
                    break
                } catch {
                    if Task.isCancelled { return }
                    logger.error("matching events against event triggers failed: \(error)")
                    // At shutdown, the next start matches what is left.
                    if Task.isShuttingDownGracefully { return }
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
    }

    /// The processing loop of ``run()``: gives `marking` the last event of each step that processed
    /// events, once its customers are re-scored.
    private func processSteps(marking: AsyncStream<Int64>.Continuation) async throws {
        // The event-trigger cursor may lag processing (a crash between the two): what was processed
        // before this start is matched at once, up to the cursor the first step reads.
        var startMarked = false
        var pace = ProcessingPace()
        var catchingUp = false
        // The next step's events, read while the current step is written and its segments evaluated.
        var nextStep: Task<PendingEvents, any Error>?
        defer { nextStep?.cancel() }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                // While tracking requests wait for the (single) SQLite writer, process in shorter
                // steps; a backlog is caught up in longer ones, and processing gives way to a bulk
                // load (`ProcessingPace`). The lag is visible in /api/v1/ingest/status.
                let stepStarted = ContinuousClock.now
                let sentBeforeStep = store.eventsSubmittedToIngest
                // Events committed during this step's read end the idle wait after it.
                let signalsBeforeRead = store.changes.signals
                let limit =
                    catchingUp
                    ? Self.stepWhileCatchingUp
                    : store.ingestRequestsInFlight > 0 ? Self.stepWhileIngestWaits : Self.stepWhileIngestIsQuiet
                var pending = PendingEvents.none
                if let prefetched = nextStep {
                    nextStep = nil
                    pending = try await prefetched.value
                }
                // Nothing read ahead, or nothing was pending then: read what is pending now.
                if pending.isEmpty { pending = try await store.pendingEvents(limit: limit, rules: rules) }
                if !startMarked {
                    marking.yield(pending.after)
                    startMarked = true
                }
                if let last = pending.lastEventId {
                    // Reading and parsing the next step's events (a reader's work) overlaps this step.
                    nextStep = Task { [store, rules] in
                        try await store.pendingEvents(after: last, limit: limit, rules: rules)
                    }
                }
                // Segments in real time, in the step's own transaction: for the customers these events
                // touched, the segments their changes can move are re-evaluated in memory; entries and
                // exits fire their triggers in the same transaction.
                let step = try await store.process(
                    pending,
                    rules: rules,
                    evaluatingSegments: segmentDefinitions,
                    windows: eventWindows
                )
                let outcome = step.outcome
                if outcome.events == 0 && !pending.isEmpty {
                    // The cursor moved elsewhere (another process, or a failed step): read from it again.
                    nextStep?.cancel()
                    nextStep = nil
                    continue
                }
                metrics.processed.increment(by: Int64(outcome.events))
                if outcome.events > 0 {
                    metrics.processingStepDuration.record(ContinuousClock.now - stepStarted)
                    if catchingUp { metrics.processingCatchUpSteps.increment() }
                }
                metrics.processingLag.set(
                    outcome.lastReceivedAt.map { max(0, Date().timeIntervalSince($0)) } ?? 0
                )
                for conflict in outcome.conflicts { logger.warning("identity conflict, \(conflict)") }
                switch step.segments {
                case .success(let changes)?:
                    if let took = step.evaluation { metrics.segmentEvaluationDuration.record(took) }
                    metrics.segmentChanges.increment(by: Int64(changes.entriesAndExits))
                case .failure(let error)?:
                    // Memberships stay as they were; `patron segments backfill` recomputes them.
                    logger.error("segment evaluation of \(outcome.changes.count) customers failed: \(error)")
                case nil:
                    break
                }
                // Customers whose orders changed: re-scored with the active model, then evaluated.
                let ordering = step.customersToEvaluateAfterRescoring
                if !ordering.isEmpty {
                    do {
                        let started = ContinuousClock.now
                        let rescored = try await rescorer.rescore(ordering)
                        if rescored > 0 {
                            metrics.rescoreDuration.record(ContinuousClock.now - started)
                            metrics.rescored.increment(by: Int64(rescored))
                        }
                    } catch {
                        // Scores stay at their previous version; the next batch scoring run catches up.
                        logger.error("re-scoring \(ordering.count) customers failed: \(error)")
                    }
                    do {
                        let changes = try await store.evaluateSegments(for: ordering, cache: segmentDefinitions)
                        metrics.segmentChanges.increment(by: Int64(changes.entriesAndExits))
                    } catch {
                        logger.error(
                            "segment evaluation of \(ordering.count) customers with new orders failed: \(error)"
                        )
                    }
                }
                if let last = outcome.eventIds?.upperBound { marking.yield(last) }
                if outcome.events == 0 {
                    // Events ingested by this server end the wait at once.
                    await store.changes.wait(upTo: Self.idlePoll, unlessSignalledSince: signalsBeforeRead)
                }
                catchingUp = pending.isFull && Self.isBehind(outcome, by: Self.lagBeforeCatchingUp)
                if catchingUp {
                    let now = ContinuousClock.now
                    if let pause = pace.pause(
                        afterStepTaking: now - stepStarted,
                        whileClientsSent: store.eventsSubmittedToIngest - sentBeforeStep,
                        at: now
                    ) {
                        let measured = ProcessingPace.measuredPart(of: pause)
                        try? await Task.sleep(for: pause - measured)
                        let sentBefore = store.eventsSubmittedToIngest
                        let measuring = ContinuousClock.now
                        try? await Task.sleep(for: measured)
                        let ended = ContinuousClock.now
                        metrics.processingPauseDuration.record(ended - now)
                        pace.notePause(
                            sent: store.eventsSubmittedToIngest - sentBefore,
                            lasting: ended - measuring,
                            endedAt: ended
                        )
                    }
                } else {
                    pace.caughtUp()
                }
            } catch {
                // Cancelled (shutdown) mid-step: the events stay pending for the next start.
                if Task.isCancelled { break }
                logger.error("event processing failed, retrying in 1 s: \(error)")
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Whether processing step `outcome` left processing more than `lag` behind ingest at `now`
    /// (since the last event it processed was received).
    public static func isBehind(_ outcome: ProcessingOutcome, by lag: Duration, now: Date = Date()) -> Bool {
        guard let received = outcome.lastReceivedAt else { return false }
        return now.timeIntervalSince(received) > lag / .seconds(1)
    }
}
