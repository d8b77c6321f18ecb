import PatronStorage
import Synchronization

/// The parsed segment definitions in dependency order, arranged for the real-time path, read again
/// only when the segment table changed (checked with one small query): the real-time path runs on
/// every processing step, and parsing a hundred definitions each time cost more than evaluating them.
/// Changes by another process (`patron segments create` while `serve` runs) are seen at the next
/// step.
public final class SegmentDefinitionCache: Sendable {
    private let cached = Mutex<(signature: String, plan: RealtimeSegmentPlan)?>(nil)

    /// Creates an empty cache.
    public init() {}

    /// The current definitions of `store` arranged for the real-time path.
    func plan(of store: SQLiteStore) async throws(SegmentError) -> RealtimeSegmentPlan {
        let signature = try await store.segmentStore { () throws(StoreError) in try await store.segmentTableSignature()
        }
        if let cached = cached.withLock({ $0 }), cached.signature == signature { return cached.plan }
        let plan = RealtimeSegmentPlan(SegmentDefinition.dependencyOrder(try await store.segmentDefinitions()))
        cached.withLock { $0 = (signature, plan) }
        return plan
    }
}
