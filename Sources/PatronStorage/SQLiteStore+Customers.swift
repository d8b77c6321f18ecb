import Foundation
import GRDB
public import PatronCore

extension SQLiteStore {
    /// The customer holding `anyId` (a user id, anonymous id, email or external id; user ids win
    /// when the same value is in several namespaces), or `nil`.
    public func customerId(anyId: String) async throws(StoreError) -> Int64? {
        try await read("look up a customer") { db in try Self.customerId(anyId: anyId, db: db) }
    }

    static func customerId(anyId: String, db: Database) throws -> Int64? {
        let value = anyId.contains("@") ? anyId.lowercased() : anyId
        return try Int64.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT customerId FROM identity WHERE value = ?
                    ORDER BY CASE kind WHEN 'user_id' THEN 0 WHEN 'email' THEN 1 WHEN 'anonymous_id' THEN 2 ELSE 3 END LIMIT 1
                    """
            ),
            arguments: [value]
        )
    }

    /// The profile of customer `id`, or `nil`.
    public func customer(id: Int64) async throws(StoreError) -> CustomerProfile? {
        try await read("read a customer") { db in try Self.profile(id: id, db: db) }
    }

    static func profile(id: Int64, db: Database) throws -> CustomerProfile? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM customer WHERE id = ? AND mergedInto IS NULL"),
                arguments: [id]
            )
        else { return nil }
        let identifiers = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT kind, value FROM identity WHERE customerId = ? ORDER BY createdAt, kind"),
            arguments: [id]
        )
        .map { Identifier(kind: $0["kind"], value: $0["value"]) }
        var traits: [String: JSONValue] = [:]
        for trait in try Row.fetchAll(
            db.cachedStatement(sql: "SELECT key, value FROM trait WHERE customerId = ?"),
            arguments: [id]
        ) {
            traits[trait["key"]] = (try? JSONValue.parse(Data((trait["value"] as String).utf8))) ?? .null
        }
        let totals = try Row.fetchOne(
            db.cachedStatement(
                sql:
                    "SELECT count(*) AS n, coalesce(sum(revenue - refundedAmount), 0) AS revenue FROM customerTransaction WHERE customerId = ?"
            ),
            arguments: [id]
        )
        let acquisition = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM acquisition WHERE customerId = ?"),
            arguments: [id]
        )
        .map {
            Acquisition(
                source: $0["source"],
                utmSource: $0["utmSource"],
                utmMedium: $0["utmMedium"],
                utmCampaign: $0["utmCampaign"],
                referrer: $0["referrer"],
                channel: $0["channel"],
                firstTouchAt: $0["firstTouchAt"]
            )
        }
        return CustomerProfile(
            id: id,
            identifiers: identifiers,
            traits: traits,
            firstSeen: row["firstSeen"],
            lastSeen: row["lastSeen"],
            eventCount: row["eventCount"],
            transactionCount: totals?["n"] ?? 0,
            revenue: totals?["revenue"] ?? 0,
            acquisition: acquisition
        )
    }

    /// A page of customers, in id order, optionally those whose trait `key` equals `value` (as JSON
    /// text or as a string), starting after customer `after`.
    public func customers(
        trait: (key: String, value: String?)?,
        limit: Int,
        after: Int64?
    ) async throws(StoreError) -> [CustomerProfile] {
        let key = trait?.key
        let value = trait?.value
        return try await read("list customers") { db in
            var sql = "SELECT id FROM customer WHERE mergedInto IS NULL AND id > ?"
            var arguments: StatementArguments = [after ?? 0]
            if let key {
                sql += " AND id IN (SELECT customerId FROM trait WHERE key = ?"
                arguments += [key]
                if let value {
                    sql += " AND (value = ? OR value = ?)"
                    arguments += [value, JSONValue.string(value).jsonText]
                }
                sql += ")"
            }
            sql += " ORDER BY id LIMIT ?"
            arguments += [limit]
            return try Int64.fetchAll(db, sql: sql, arguments: arguments).compactMap {
                try Self.profile(id: $0, db: db)
            }
        }
    }

    /// A customer's events, newest first, with the `Segment Entered` and `Segment Exited` track events of
    /// its segment stays (properties `segment_id`, `segment_name`; source library `patron`).
    public func events(customer: Int64, limit: Int) async throws(StoreError) -> [JSONValue] {
        try await read("read events") { db in
            try String.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT payload, timestamp AS at, 0 AS kind, id FROM event WHERE customerId = ?1
                        UNION ALL
                        SELECT \(Self.segmentEventJSON("Segment Entered", time: "m.enteredAt")), m.enteredAt, 1, m.id
                        FROM segmentMembership m JOIN segment s ON s.id = m.segmentId WHERE m.customerId = ?1
                        UNION ALL
                        SELECT \(Self.segmentEventJSON("Segment Exited", time: "m.exitedAt")), m.exitedAt, 2, m.id
                        FROM segmentMembership m JOIN segment s ON s.id = m.segmentId
                        WHERE m.customerId = ?1 AND m.exitedAt IS NOT NULL
                        ORDER BY at DESC, kind DESC, id DESC LIMIT ?2
                        """
                ),
                arguments: [customer, limit]
            )
            .map { (try? JSONValue.parse(Data($0.utf8))) ?? .null }
        }
    }

    /// SQL for the `Segment Entered` / `Segment Exited` track event of membership row `m` (segment
    /// `s`): derived from the membership table, which keeps every stay, rather than stored twice.
    private static func segmentEventJSON(_ name: String, time column: String) -> String {
        let kind = name == "Segment Entered" ? "entered" : "exited"
        return """
            json_object('type', 'track', 'event', '\(name)', 'messageId', 'segment-\(kind)-' || m.id,
                'timestamp', strftime('%Y-%m-%dT%H:%M:%fZ', \(column)),
                'properties', json_object('segment_id', s.id, 'segment_name', s.name),
                'context', json_object('library', json_object('name', 'patron')))
            """
    }

    /// A customer's transactions, oldest first.
    public func transactions(customer: Int64) async throws(StoreError) -> [CustomerTransaction] {
        try await read("read transactions") { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT * FROM customerTransaction WHERE customerId = ? ORDER BY timestamp, orderId"
                ),
                arguments: [customer]
            )
            .map {
                CustomerTransaction(
                    orderId: $0["orderId"],
                    revenue: $0["revenue"],
                    currency: $0["currency"],
                    timestamp: $0["timestamp"],
                    refundedAmount: $0["refundedAmount"],
                    refunded: ($0["refundedAt"] as Date?) != nil,
                    source: $0["source"]
                )
            }
        }
    }

    /// Every identity audit entry that concerns customer `id`, oldest first.
    public func identityAudit(customer: Int64) async throws(StoreError) -> [IdentityAuditEntry] {
        try await read("read the identity audit") { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT * FROM identityAudit WHERE customerId = ? OR otherCustomerId = ? ORDER BY id"
                ),
                arguments: [customer, customer]
            )
            .map { row in
                IdentityAuditEntry(
                    id: row["id"],
                    action: row["action"],
                    customerId: row["customerId"],
                    otherCustomerId: row["otherCustomerId"],
                    identifiers: (try? JSONDecoder().decode(
                        [Identifier].self,
                        from: Data((row["identifiers"] as String).utf8)
                    ))
                        ?? [],
                    reason: row["reason"],
                    eventId: row["eventId"],
                    at: row["at"],
                    undoneAt: row["undoneAt"]
                )
            }
        }
    }
}
