import GRDB
import PatronStorage
import Synchronization

/// The parsed segment definitions in dependency order, arranged for the real-time path, read again
/// only when the segment table changed (checked with one small query): the real-time path runs on
/// every processing step, and parsing a hundred definitions each time cost more than evaluating them.
/// Changes by another process (`patron segments create` while `serve` runs) are seen at the next
/// step.
public final class SegmentDefinitionCache: Sendable {
    /// The plan of the last signature read, or why its definitions could not be parsed (so that a
    /// broken definition is not parsed again at every step).
    private let cached = Mutex<(signature: String, plan: Result<RealtimeSegmentPlan, SegmentError>)?>(nil)

    /// Creates an empty cache.
    public init() {}

    /// The current definitions of `store` arranged for the real-time path.
    func plan(of store: SQLiteStore) async throws(SegmentError) -> RealtimeSegmentPlan {
        // A definition that does not parse comes back as it is, not as an error of the read.
        let read = try await store.segmentStore { () throws(StoreError) in
            try await store.readCustomerData("read the segment definitions") { db in Result { try self.plan(in: db) } }
        }
        switch read {
        case .success(let plan): return plan
        case .failure(let error as SegmentError): throw error
        case .failure(let error): throw SegmentError(.unavailable, "could not read the segment definitions: \(error)")
        }
    }

    /// The current definitions arranged for the real-time path, checked and read through `db`: in a
    /// processing step's own transaction, which so needs no read of its own before it.
    /// - Throws: ``SegmentError`` for a stored definition that does not parse, or the database's error.
    func plan(in db: Database) throws -> RealtimeSegmentPlan {
        let signature = try SQLiteStore.segmentTableSignature(db)
        if let cached = cached.withLock({ $0 }), cached.signature == signature { return try cached.plan.get() }
        let stored = try SQLiteStore.segments(db)
        let plan = Result { () throws(SegmentError) in
            RealtimeSegmentPlan(SegmentDefinition.dependencyOrder(try stored.map(SegmentDefinition.init)))
        }
        cached.withLock { $0 = (signature, plan) }
        return try plan.get()
    }
}
