public import Foundation
import GRDB
public import PatronCore
public import PatronStorage

extension SQLiteStore {
    /// The real-time path: a processing step with its segments, in one transaction on the writer.
    /// Processes `pending` (``SQLiteStore/process(_:rules:)``), then, seeing what the step wrote,
    /// brings `windows` up to it and re-evaluates in memory, for each customer it changed, only the
    /// segments that the change can move (its new events' names, the traits it set, segments that
    /// refer to one that moved; every segment for a new or merged customer, and for one `windows`
    /// did not keep), with event counts from `windows` instead of the store; then records who entered
    /// and who exited and queues the triggers' webhooks. So a membership and its webhook commit with
    /// the events that moved them: no second write transaction, no read of the facts on another
    /// connection (whose page cache every commit empties), and no wait for the writer in between.
    /// Memberships that only the passing of time changes are the scheduled refresh's.
    ///
    /// Customers whose orders changed are left out: their scores are stale until re-scored, so the
    /// caller re-scores them and then evaluates them (``evaluateSegments(for:at:cache:)``).
    /// A failing evaluation is rolled back alone (the step's customer data still commits), its error
    /// is returned, and the windows start over.
    /// - Parameter time: the time segments are evaluated at; `nil` for the time of the evaluation.
    public func process(
        _ pending: PendingEvents,
        rules: IdentityRules = IdentityRules(),
        evaluatingSegments cache: SegmentDefinitionCache,
        windows: CustomerEventWindows,
        at time: Date? = nil
    ) async throws(StoreError) -> ProcessedStep {
        let step: (outcome: ProcessingOutcome, followUp: Result<EvaluatedSegments?, any Error>?)
        do throws(StoreError) {
            // The definitions are checked in the step's transaction: no read, and no wait for one,
            // before every step.
            let evaluate: StepFollowUp<EvaluatedSegments?> = { db, outcome in
                let plan = try cache.plan(in: db)
                guard !plan.definitions.isEmpty else { return nil }
                return try Self.evaluateSegments(db, after: outcome, plan: plan, windows: windows, at: time ?? Date())
            }
            step = try await process(pending, rules: rules, followedBy: evaluate)
        } catch {
            windows.reset()
            throw error
        }
        switch step.followUp {
        case nil, .success(nil)?:
            return ProcessedStep(outcome: step.outcome, segments: nil)
        case .success(let evaluated?)?:
            return ProcessedStep(
                outcome: step.outcome,
                segments: .success(evaluated.changes),
                evaluation: evaluated.took
            )
        case .failure(let error)?:
            windows.reset()
            let failure =
                switch error {
                case let error as SegmentError: error
                case let error as StoreError: SegmentError(error)
                default: SegmentError(.unavailable, "could not evaluate the step's segments: \(error)")
                }
            return ProcessedStep(outcome: step.outcome, segments: .failure(failure))
        }
    }

    /// What the evaluation in a step found, and how long it took.
    private typealias EvaluatedSegments = (changes: [String: SegmentMembershipChange], took: Duration)

    /// The segment evaluation of ``process(_:rules:evaluatingSegments:windows:at:)`` in the step's
    /// transaction (`db`), after its events are recorded.
    /// - Returns: `nil` when no customer was evaluated (the windows were not brought up to the
    ///   step, so that they start over at the next one).
    private static func evaluateSegments(
        _ db: Database,
        after outcome: ProcessingOutcome,
        plan: RealtimeSegmentPlan,
        windows: CustomerEventWindows,
        at time: Date
    ) throws -> EvaluatedSegments? {
        let started = ContinuousClock.now
        let rescored = Set(outcome.customersWithOrderChanges)
        let customers = Set(outcome.changes.keys).subtracting(rescored).sorted()
        guard !customers.isEmpty else { return nil }
        windows.advance(
            to: outcome,
            scope: CustomerEventWindows.Scope(eventNames: plan.eventNames, lookback: plan.lookback),
            identityChanges: try identityChanges(db, after: windows.auditId)
        )
        let now = CustomerFacts.milliseconds(time)
        let (facts, notKept) = try customerFacts(db: db, now: now, customers: customers, plan: plan, windows: windows)
        let changes = outcome.changes
        let holdingWithoutData = plan.positionsHoldingWithoutData(at: now)
        let evaluations = plan.evaluations(of: facts, customers: customers) { facts in
            let change = changes[facts.customerId] ?? CustomerChange()
            // A customer the windows did not keep gets every segment: its memberships may be stale
            // from changes no step of this process saw (another process's processing or import, a
            // failed step, the start of the server). A new one has none yet.
            if notKept.contains(facts.customerId) && !change.isNew { return Array(plan.definitions.indices) }
            return plan.positions(movedBy: change, holdingWithoutData: holdingWithoutData)
        }
        guard !evaluations.isEmpty else { return ([:], ContinuousClock.now - started) }
        let recorded = try recordSegmentEvaluations(db, customers: customers, evaluations: evaluations, at: time)
        return (plan.byName(recorded), ContinuousClock.now - started)
    }
}

/// A processing step and its real-time segment evaluation
/// (``SQLiteStore/process(_:rules:evaluatingSegments:windows:at:)``).
public struct ProcessedStep: Sendable {
    /// What processing did.
    public var outcome: ProcessingOutcome
    /// The change of each segment that changed, by name, or why the evaluation failed; `nil` when
    /// nothing was evaluated (no segment, or no customer without order changes).
    public var segments: Result<[String: SegmentMembershipChange], SegmentError>?
    /// How long the evaluation took (read, evaluate, record), when it ran and succeeded.
    public var evaluation: Duration?

    /// Customers the step changed whose orders changed too, left for the caller to re-score and
    /// then evaluate.
    public var customersToEvaluateAfterRescoring: [Int64] { outcome.customersWithOrderChanges }
}
