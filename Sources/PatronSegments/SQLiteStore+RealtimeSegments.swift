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
        do throws(SegmentError) {
            let plan = try await cache.plan(of: self)
            let rescored = Set(outcome.customersWithOrderChanges)
            let customers = Set(outcome.changes.keys).union(rescored).sorted()
            // Without segments or customers the windows are not brought up to this step; the next
            // step then does not follow theirs, and they start over.
            guard !plan.definitions.isEmpty, !customers.isEmpty else { return [:] }
            let (facts, notKept) = try await customerFacts(
                at: time,
                after: outcome,
                customers: customers,
                plan: plan,
                windows: windows
            )
            return try await recordEvaluation(of: plan, facts: facts, customers: customers, at: time) { facts in
                // A customer the windows did not keep gets every segment: its memberships may be stale
                // from changes no step of this process saw (another process's processing or import, a
                // failed step, the start of the server).
                if notKept.contains(facts.customerId) { return Array(plan.definitions.indices) }
                return plan.positions(
                    movedBy: outcome.changes[facts.customerId] ?? CustomerChange(),
                    rescored: rescored.contains(facts.customerId)
                )
            }
        } catch {
            windows.reset()
            throw error
        }
    }
}
