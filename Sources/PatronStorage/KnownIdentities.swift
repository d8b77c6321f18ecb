import GRDB
import PatronCore

/// The identity lookups of committed processing steps, kept from one step to the next: which
/// customer holds an id, and which user id a customer holds. A returning customer's event then
/// needs no identity read on the single writer (two index searches of about 3 µs each, a tenth of
/// a step's time per event at 8,000 events/s; BENCHMARKS.md §5).
///
/// Only what was found is kept, never "not found": another process (an import) may link an id
/// at any time, but an id changes customer only by a merge or a split, and every merge and split,
/// by any process, writes an `identityAudit` entry. So everything is forgotten when a merge or a
/// split was audited since these lookups were made (``validate(_:)``, ``IdentityAuditStamp``), and
/// a merge inside a step forgets everything at once (``IdentityCache/clear()``). Lookups join only
/// once their step has committed: a step that fails leaves nothing behind.
struct KnownIdentities {
    /// The customer holding each id.
    private(set) var owners: [Identifier: Int64] = [:]
    /// The user id each customer holds.
    private(set) var userIds: [Int64: String] = [:]
    /// The identity audit entry the lookups were made under.
    private var stamp = IdentityAuditStamp()

    /// The most ids kept (about 100 bytes each): beyond this, everything is forgotten and learnt
    /// again.
    static let capacity = 500_000

    /// Forgets everything if a merge or a split was audited in `db` since the lookups were made.
    mutating func validate(_ db: Database) throws {
        if try !stamp.isCurrent(db) { forget() }
    }

    /// Adds the lookups of `cache`, a transaction's, found under audit entries up to the last one
    /// in `db` (read inside that transaction, before it commits).
    mutating func learn(from cache: IdentityCache, _ db: Database) throws {
        if owners.count + cache.owners.count > Self.capacity { forget() }
        for case let (id, owner?) in cache.owners { owners[id] = owner }
        for case let (customer, userId?) in cache.userIds { userIds[customer] = userId }
        try stamp.renew(db)
    }

    /// Forgets every lookup.
    mutating func forget() {
        owners.removeAll()
        userIds.removeAll()
    }
}
