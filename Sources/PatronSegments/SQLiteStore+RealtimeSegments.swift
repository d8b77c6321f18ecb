public import Foundation
import GRDB
public import PatronStorage

extension SQLiteStore {
    /// The real-time path after a processing step: re-evaluates in memory, for each customer the step
    /// changed, only the segments that the change can move (its new events' names, the traits it set,
    /// its score when its orders changed, segments that refer to one that moved; every segment for a
    /// new or merged customer, and for one `windows` did not keep), with event counts from `windows`
    /// instead of the store; then records who entered and who exited and queues the triggers'
    /// webhooks in one write transaction.
    /// Memberships that only the passing of time changes are the scheduled refresh's.
    /// - Parameters:
    ///   - outcome: the processing step just committed.
    ///   - cache: parsed definitions kept between calls.
    ///   - windows: the customers' event times kept between calls; they start over when this fails.
    /// - Returns: the change of each segment that changed, by name.
    public func evaluateSegments(
        after outcome: ProcessingOutcome,
        at time: Date = Date(),
        cache: SegmentDefinitionCache,
        windows: CustomerEventWindows
    ) async throws(SegmentError) -> [String: SegmentMembershipChange] {
        try await readSegmentFacts(after: outcome, at: time, cache: cache, windows: windows).record()
    }

    /// The first half of ``evaluateSegments(after:at:cache:windows:)``: reads the facts of the
    /// customers the step changed (bringing `windows` up to the step), and returns the evaluation to
    /// record. The processing service writes its next step meanwhile; the evaluation must be recorded
    /// before the facts of a later step are read (they include the memberships it records).
    public func readSegmentFacts(
        after outcome: ProcessingOutcome,
        at time: Date = Date(),
        cache: SegmentDefinitionCache,
        windows: CustomerEventWindows
    ) async throws(SegmentError) -> PendingSegmentEvaluation {
        do throws(SegmentError) {
            let plan = try await cache.plan(of: self)
            let rescored = Set(outcome.customersWithOrderChanges)
            let customers = Set(outcome.changes.keys).union(rescored).sorted()
            // Without segments or customers the windows are not brought up to this step; the next
            // step then does not follow theirs, and they start over.
            guard !plan.definitions.isEmpty, !customers.isEmpty else {
                return .nothing(for: self)
            }
            let (facts, notKept) = try await customerFacts(
                at: time,
                after: outcome,
                customers: customers,
                plan: plan,
                windows: windows
            )
            return PendingSegmentEvaluation(
                store: self,
                plan: plan,
                facts: facts,
                customers: customers,
                notKept: notKept,
                changes: outcome.changes,
                rescored: rescored,
                time: time,
                windows: windows
            )
        } catch {
            windows.reset()
            throw error
        }
    }
}

/// Segment facts read after a processing step, to evaluate in memory and record
/// (``SQLiteStore/readSegmentFacts(after:at:cache:windows:)``).
public struct PendingSegmentEvaluation: Sendable {
    let store: SQLiteStore
    let plan: RealtimeSegmentPlan?
    let facts: [CustomerFacts]
    let customers: [Int64]
    let notKept: Set<Int64>
    let changes: [Int64: CustomerChange]
    let rescored: Set<Int64>
    let time: Date
    let windows: CustomerEventWindows?

    /// An evaluation with nothing to evaluate (no segments, or no customer changed).
    static func nothing(for store: SQLiteStore) -> PendingSegmentEvaluation {
        PendingSegmentEvaluation(
            store: store,
            plan: nil,
            facts: [],
            customers: [],
            notKept: [],
            changes: [:],
            rescored: [],
            time: Date(),
            windows: nil
        )
    }

    /// Whether some customer is evaluated.
    public var isEmpty: Bool { plan == nil }

    /// Evaluates in memory, for each customer, only the segments that its change can move (its new
    /// events' names, the traits it set, its score when its orders changed, segments that refer to
    /// one that moved; every segment for a new or merged customer, and for one the windows did not
    /// keep); then records who entered and who exited and queues the triggers' webhooks in one write
    /// transaction. On failure the windows start over.
    /// - Returns: the change of each segment that changed, by name.
    public func record() async throws(SegmentError) -> [String: SegmentMembershipChange] {
        guard let plan else { return [:] }
        let (notKept, changes, rescored) = (notKept, changes, rescored)
        do {
            return try await store.recordEvaluation(of: plan, facts: facts, customers: customers, at: time) { facts in
                // A customer the windows did not keep gets every segment: its memberships may be stale
                // from changes no step of this process saw (another process's processing or import, a
                // failed step, the start of the server).
                if notKept.contains(facts.customerId) { return Array(plan.definitions.indices) }
                return plan.positions(
                    movedBy: changes[facts.customerId] ?? CustomerChange(),
                    rescored: rescored.contains(facts.customerId)
                )
            }
        } catch {
            windows?.reset()
            throw error
        }
    }
}
