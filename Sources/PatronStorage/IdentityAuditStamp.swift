import GRDB

/// The identity audit entry under which processing steps learnt what they keep for the next ones
/// (``KnownIdentities``, ``FirstTouchFloors``). Only a merge or a split changes which customer
/// holds an id or makes a stored first touch worse, and each writes an `identityAudit` entry, by
/// any process. Conflicts, blocked ids and capped customers are audited too but change neither, so
/// what was learnt survives them: a stream with an identity conflict in most steps would otherwise
/// keep nothing.
struct IdentityAuditStamp {
    /// The last audit entry when stamped (`nil`: never).
    private var lastEntry: Int64?

    /// Whether no merge or split was audited in `db` since the stamp (`false` when never stamped);
    /// the stamp moves to the last entry either way.
    mutating func isCurrent(_ db: Database) throws -> Bool {
        guard let stamped = lastEntry else {
            try renew(db)
            return false
        }
        let row = try Row.fetchOne(
            db.cachedStatement(
                sql: "SELECT max(id), sum(action IN ('merge', 'split')) FROM identityAudit WHERE id > ?"
            ),
            arguments: [stamped]
        )
        guard let last: Int64 = row?[0] else { return true }
        lastEntry = last
        return (row?[1] as Int64?) == 0
    }

    /// Stamps the last audit entry in `db` (read inside the transaction whose lookups are kept).
    mutating func renew(_ db: Database) throws {
        lastEntry = try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(id) FROM identityAudit")) ?? 0
    }
}
