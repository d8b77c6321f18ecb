import Foundation
import GRDB
import PatronCore

/// The identity graph inside one write transaction: finds or creates the customer of an event,
/// merges customers that the event shows to be one person, and writes every decision to the
/// `identityAudit` table.
///
/// Safeguards: a customer holds at most one user id, so two customers with different user ids are
/// never merged (a `conflict` is audited instead); placeholder values never link anyone
/// (``IdentityRules/isBlocked(_:)``); an event links at most
/// ``IdentityRules/maximumIdentifiersPerEvent`` ids.
struct IdentityGraph {
    let db: Database
    let rules: IdentityRules
    /// Lookups already made in this transaction (a batch often carries many events of one person).
    let cache = IdentityCache()
    /// The customer holding an id: kind ?1, value ?2.
    private let ownerLookup: BoundStatement
    /// A new link: kind, value, customer, first event, creation time.
    private let identityInsertion: BoundStatement
    /// A new customer: created at ?1, first and last seen at ?2.
    private let customerInsertion: BoundStatement
    /// When this transaction started, as the store writes dates: new links and customers are
    /// created at this time.
    private let now = SQLDate.text(Date())

    /// The graph as stored in `db`, inside its write transaction, over the lookups `known` of
    /// earlier processing steps (validated against `db`: ``KnownIdentities/validate(_:)``).
    init(db: Database, rules: IdentityRules, known: KnownIdentities = KnownIdentities()) throws {
        self.db = db
        self.rules = rules
        cache.known = known
        ownerLookup = try BoundStatement(db, sql: "SELECT customerId FROM identity WHERE kind = ?1 AND value = ?2")
        identityInsertion = try BoundStatement(
            db,
            sql: "INSERT INTO identity (kind, value, customerId, firstEventId, createdAt) VALUES (?, ?, ?, ?, ?)"
        )
        customerInsertion = try BoundStatement(
            db,
            sql: "INSERT INTO customer (createdAt, firstSeen, lastSeen, eventCount) VALUES (?1, ?2, ?2, 0)"
        )
    }

    /// Audit actions.
    enum Action: String {
        case merge, split, conflict, blocked, capped
    }

    /// The customer of `event` (stored as row `eventId`), after linking its ids.
    func resolve(_ prepared: PreparedEvent) throws -> (customerId: Int64, conflicts: [String]) {
        let event = prepared.event
        let eventId = prepared.id
        let extracted = prepared.identifiers
        if !extracted.blocked.isEmpty {
            try audit(
                .blocked,
                eventId: eventId,
                ids: extracted.blocked,
                reason: "placeholder values never link customers"
            )
        }
        if !extracted.overCap.isEmpty {
            try audit(
                .capped,
                eventId: eventId,
                ids: extracted.overCap,
                reason: "more than \(rules.maximumIdentifiersPerEvent) ids in one event; the rest were ignored"
            )
        }
        var owners: [Identifier: Int64] = [:]
        for id in extracted.usable { owners[id] = try owner(of: id) }
        let candidates = Set(owners.values).sorted()
        let eventUser = extracted.usable.first { $0.kind == Identifier.userIdKind }?.value
        var target: Int64
        if let eventUser, let owner = owners[.userId(eventUser)] {
            target = owner
        } else if eventUser != nil {
            var free: Int64?
            for candidate in candidates where try userId(of: candidate) == nil {
                free = candidate
                break
            }
            target = try free ?? createCustomer(at: prepared.timestampText)
        } else {
            var withUser: Int64?
            for candidate in candidates where try userId(of: candidate) != nil {
                withUser = candidate
                break
            }
            target = try withUser ?? candidates.first ?? createCustomer(at: prepared.timestampText)
        }
        var targetUser = try userId(of: target) ?? eventUser
        var conflicts: [String] = []
        for candidate in candidates where candidate != target {
            let candidateUser = try userId(of: candidate)
            let shared = owners.filter { $0.value == candidate }.keys.sorted { $0.description < $1.description }
            if let candidateUser, let targetUser, candidateUser != targetUser {
                let reason =
                    "not merged: customer \(candidate) has user id \(candidateUser) and customer \(target) has \(targetUser)"
                try audit(
                    .conflict,
                    eventId: eventId,
                    customerId: target,
                    otherCustomerId: candidate,
                    ids: shared,
                    reason: reason
                )
                conflicts.append(reason)
                continue
            }
            try merge(
                candidate,
                into: target,
                eventId: eventId,
                reason: "\(event.type.rawValue) event \(event.messageId) carries "
                    + shared.map(\.description).joined(separator: ", ")
            )
            if targetUser == nil { targetUser = candidateUser }
        }
        for id in extracted.usable where owners[id] == nil {
            if id.kind == Identifier.userIdKind, let targetUser, targetUser != id.value { continue }
            identityInsertion.bind(id.kind, at: 1)
            identityInsertion.bind(id.value, at: 2)
            identityInsertion.bind(target, at: 3)
            identityInsertion.bind(eventId, at: 4)
            identityInsertion.bind(now, at: 5)
            try identityInsertion.execute()
            cache.owners[id] = .some(target)
            if id.kind == Identifier.userIdKind { cache.userIds[target] = .some(id.value) }
        }
        return (target, conflicts)
    }

    /// The customer holding `id`, if any.
    func owner(of id: Identifier) throws -> Int64? {
        if let known = cache.owners[id] { return known }
        if let known = cache.known.owners[id] { return known }
        ownerLookup.bind(id.kind, at: 1)
        ownerLookup.bind(id.value, at: 2)
        let owner = try ownerLookup.fetchInt64()
        cache.owners[id] = .some(owner)
        // A customer holds at most one user id: the owner of this one holds no other.
        if let owner, id.kind == Identifier.userIdKind { cache.userIds[owner] = .some(id.value) }
        return owner
    }

    /// The user id a customer holds, if any.
    func userId(of customer: Int64) throws -> String? {
        if let known = cache.userIds[customer] { return known }
        if let known = cache.known.userIds[customer] { return known }
        let userId = try fetchUserId(of: customer)
        cache.userIds[customer] = .some(userId)
        return userId
    }

    private func fetchUserId(of customer: Int64) throws -> String? {
        try String.fetchOne(
            db.cachedStatement(sql: "SELECT value FROM identity WHERE customerId = ? AND kind = 'user_id'"),
            arguments: [customer]
        )
    }

    func createCustomer(at timestamp: String) throws -> Int64 {
        customerInsertion.bind(now, at: 1)
        customerInsertion.bind(timestamp, at: 2)
        try customerInsertion.execute()
        let customer = db.lastInsertedRowID
        cache.created.insert(customer)
        // A new customer holds no user id yet.
        cache.userIds[customer] = .some(nil)
        return customer
    }

    /// Moves everything of `loser` to `winner` and audits it.
    func merge(_ loser: Int64, into winner: Int64, eventId: Int64?, reason: String) throws {
        cache.clear()
        cache.merged.formUnion([loser, winner])
        let moved = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT kind, value FROM identity WHERE customerId = ?"),
            arguments: [loser]
        )
        .map { Identifier(kind: $0["kind"], value: $0["value"]) }
        try db.executeCached(
            sql: "UPDATE identity SET customerId = ? WHERE customerId = ?",
            arguments: [winner, loser]
        )
        try db.executeCached(
            sql: """
                INSERT INTO trait (customerId, key, value, timestamp)
                SELECT ?, key, value, timestamp FROM trait WHERE customerId = ? AND true
                ON CONFLICT (customerId, key) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp
                WHERE excluded.timestamp > trait.timestamp
                """,
            arguments: [winner, loser]
        )
        try db.executeCached(sql: "DELETE FROM trait WHERE customerId = ?", arguments: [loser])
        try db.executeCached(sql: "UPDATE event SET customerId = ? WHERE customerId = ?", arguments: [winner, loser])
        try db.executeCached(
            sql: "UPDATE customerTransaction SET customerId = ? WHERE customerId = ?",
            arguments: [winner, loser]
        )
        if db.changesCount > 0 { cache.gainedTransactions.insert(winner) }
        // The merged customer no longer exists on its own: its score would count twice in reports.
        try db.executeCached(sql: "DELETE FROM customerScore WHERE customerId = ?", arguments: [loser])
        try db.executeCached(
            sql: """
                INSERT INTO acquisition (\(CustomerRecorder.acquisitionColumns))
                SELECT ?, source, utmSource, utmMedium, utmCampaign, referrer, channel, isMarketingTouch, firstTouchAt, eventId
                FROM acquisition WHERE customerId = ? AND true
                \(CustomerRecorder.keepFirstTouch)
                """,
            arguments: [winner, loser]
        )
        try db.executeCached(sql: "DELETE FROM acquisition WHERE customerId = ?", arguments: [loser])
        try db.executeCached(
            sql: """
                UPDATE customer SET
                    eventCount = eventCount + (SELECT eventCount FROM customer WHERE id = :loser),
                    firstSeen = min(firstSeen, (SELECT firstSeen FROM customer WHERE id = :loser)),
                    lastSeen = max(lastSeen, (SELECT lastSeen FROM customer WHERE id = :loser))
                WHERE id = :winner
                """,
            arguments: ["loser": loser, "winner": winner]
        )
        try db.executeCached(
            sql: "UPDATE customer SET mergedInto = ?, eventCount = 0 WHERE id = ?",
            arguments: [winner, loser]
        )
        try audit(.merge, eventId: eventId, customerId: winner, otherCustomerId: loser, ids: moved, reason: reason)
    }

    /// Undoes the merge recorded as audit row `auditId`: the merged customer gets its ids back, and
    /// its events, traits, transactions and acquisition are rebuilt from those events.
    func split(auditId: Int64) throws -> (winner: Int64, restored: Int64) {
        cache.clear()
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql:
                        "SELECT action, customerId, otherCustomerId, identifiers, undoneAt FROM identityAudit WHERE id = ?"
                ),
                arguments: [auditId]
            )
        else { throw StoreError(.notFound, "no audit entry \(auditId)") }
        guard row["action"] == Action.merge.rawValue else {
            throw StoreError(.conflict, "audit entry \(auditId) is a \(row["action"] as String), not a merge")
        }
        guard (row["undoneAt"] as Date?) == nil else {
            throw StoreError(.conflict, "merge \(auditId) was already split")
        }
        let winner: Int64 = row["customerId"]
        let restored: Int64 = row["otherCustomerId"]
        let ids = try JSONDecoder().decode([Identifier].self, from: Data((row["identifiers"] as String).utf8))
        for id in ids {
            try db.executeCached(
                sql: "UPDATE identity SET customerId = ? WHERE kind = ? AND value = ? AND customerId = ?",
                arguments: [restored, id.kind, id.value, winner]
            )
        }
        try db.executeCached(sql: "UPDATE customer SET mergedInto = NULL WHERE id = ?", arguments: [restored])
        let events = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT id, userId, anonymousId FROM event WHERE customerId = ?"),
            arguments: [winner]
        )
        for event in events {
            var owner: Int64?
            if let user: String = event["userId"] {
                owner = try Int64.fetchOne(
                    db.cachedStatement(sql: "SELECT customerId FROM identity WHERE kind = 'user_id' AND value = ?"),
                    arguments: [user]
                )
            }
            if owner == nil, let anonymous: String = event["anonymousId"] {
                owner = try Int64.fetchOne(
                    db.cachedStatement(
                        sql: "SELECT customerId FROM identity WHERE kind = 'anonymous_id' AND value = ?"
                    ),
                    arguments: [anonymous]
                )
            }
            if owner == restored {
                try db.executeCached(
                    sql: "UPDATE event SET customerId = ? WHERE id = ?",
                    arguments: [restored, event["id"] as Int64]
                )
            }
        }
        let recorder = try CustomerRecorder(db: db)
        try recorder.rebuild(customer: winner)
        try recorder.rebuild(customer: restored)
        try db.executeCached(
            sql: "UPDATE identityAudit SET undoneAt = ? WHERE id = ?",
            arguments: [SQLDate.now, auditId]
        )
        try audit(
            .split,
            eventId: nil,
            customerId: restored,
            otherCustomerId: winner,
            ids: ids,
            reason: "undid merge \(auditId)"
        )
        return (winner, restored)
    }

    func audit(
        _ action: Action,
        eventId: Int64?,
        customerId: Int64? = nil,
        otherCustomerId: Int64? = nil,
        ids: [Identifier],
        reason: String
    ) throws {
        let encoded = String(decoding: try JSONEncoder().encode(ids), as: UTF8.self)
        try db.executeCached(
            sql: """
                INSERT INTO identityAudit (eventId, action, customerId, otherCustomerId, identifiers, reason, at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [eventId, action.rawValue, customerId, otherCustomerId, encoded, reason, SQLDate.now]
        )
    }
}

/// Identity lookups made within one write transaction (`nil` entries: looked up, not found), over
/// those of committed earlier steps (``known``).
final class IdentityCache {
    var owners: [Identifier: Int64?] = [:]
    var userIds: [Int64: String?] = [:]
    /// What earlier processing steps found (empty outside processing).
    var known = KnownIdentities()
    /// Customers that received another customer's transactions in a merge (their scores are stale).
    var gainedTransactions: Set<Int64> = []
    /// Customers created in this transaction.
    var created: Set<Int64> = []
    /// Customers on either side of a merge in this transaction.
    var merged: Set<Int64> = []

    /// The earlier steps' lookups with this transaction's, moved out of the cache (read from `db`
    /// inside the transaction, before it commits: they are kept only once it has).
    func takeKnown(_ db: Database) throws -> KnownIdentities {
        var known = self.known
        self.known = KnownIdentities()
        try known.learn(from: self, db)
        return known
    }

    /// Forgets the ids and owners (merges change them), the earlier steps' too; the merge record
    /// stays.
    func clear() {
        owners.removeAll(keepingCapacity: true)
        userIds.removeAll(keepingCapacity: true)
        known.forget()
    }
}
