public import Foundation
public import GRDB

/// A customer's consent to be contacted for one purpose.
public struct ConsentRecord: Sendable, Hashable, Codable {
    /// The purpose (`email`, `push`, `advertising`, …) or `all`.
    public var purpose: String
    /// Whether it is granted.
    public var granted: Bool
    /// Where it came from: `event` (`context.consent.categoryPreferences`), `identify` (the
    /// `unsubscribed` trait), `import` or `api`.
    public var source: String
    /// When it was given or revoked.
    public var updatedAt: Date
}

/// A webhook put into the outbox, or suppressed before it got there.
public struct QueuedDelivery: Sendable, Hashable {
    /// The `webhook-id`.
    public var webhookId: String
    /// `pending`, or `suppressed` with the reason.
    public var status: Delivery.Status
    /// Why it was suppressed.
    public var reason: String?
}

extension SQLiteStore {
    /// Records consent; a later statement wins (an older one arriving late is ignored).
    public static func recordConsent(
        _ db: Database,
        customerId: Int64,
        purpose: String,
        granted: Bool,
        source: String,
        at time: Date
    ) throws {
        try db.executeCached(
            sql: """
                INSERT INTO consent (customerId, purpose, granted, source, updatedAt) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (customerId, purpose) DO UPDATE SET granted = excluded.granted, source = excluded.source,
                    updatedAt = excluded.updatedAt
                WHERE excluded.updatedAt >= consent.updatedAt
                """,
            arguments: [customerId, purpose.lowercased(), granted, source, SQLDate(time)]
        )
    }

    /// Sets a customer's consent for `purpose` (`all` for everything), e.g. from an unsubscribe link.
    public func setConsent(
        customerId: Int64,
        purpose: String,
        granted: Bool,
        source: String = "api",
        at time: Date = Date()
    ) async throws(StoreError) {
        guard !purpose.isEmpty else { throw StoreError(.invalidInput, "a consent needs a purpose (or all)") }
        try await write("record consent") { db in
            try Self.recordConsent(
                db,
                customerId: customerId,
                purpose: purpose,
                granted: granted,
                source: source,
                at: time
            )
        }
    }

    /// A customer's consent records.
    public func consents(customerId: Int64) async throws(StoreError) -> [ConsentRecord] {
        try await read("read consent") { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM consent WHERE customerId = ? ORDER BY purpose",
                arguments: [customerId]
            )
            .map { row in
                ConsentRecord(
                    purpose: row["purpose"],
                    granted: row["granted"],
                    source: row["source"],
                    updatedAt: (row["updatedAt"] as SQLDate).date
                )
            }
        }
    }

    /// Why `destination` must not contact `customerId`, or `nil` when it may (consent only).
    static func consentRefusal(_ db: Database, destination: Destination, customerId: Int64) throws -> String? {
        guard let purpose = destination.purpose else { return nil }
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT purpose, granted FROM consent WHERE customerId = ? AND purpose IN (?, 'all')"
            ),
            arguments: [customerId, purpose]
        )
        if rows.contains(where: { $0["purpose"] == "all" && !($0["granted"] as Bool) }) {
            return "no consent: the customer unsubscribed from everything"
        }
        if rows.contains(where: { $0["purpose"] == purpose && !($0["granted"] as Bool) }) {
            return "no consent: the customer revoked \(purpose)"
        }
        if destination.consentPolicy == .optIn && !rows.contains(where: { $0["granted"] as Bool }) {
            return "no consent: the customer has not opted in to \(purpose)"
        }
        return nil
    }

    /// Why a new send from `destination` to `customerId` at `now` would exceed its frequency cap, or
    /// `nil`. The period is the customer's calendar day, week or month in their `timezone` trait.
    static func capRefusal(_ db: Database, destination: Destination, customerId: Int64, now: Date) throws -> String? {
        guard let cap = destination.frequencyCap else { return nil }
        let zoneName = try String.fetchOne(
            db.cachedStatement(
                sql:
                    "SELECT json_extract(value, '$') FROM trait WHERE customerId = ? AND key = 'timezone' AND json_valid(value)"
            ),
            arguments: [customerId]
        )
        let zone = zoneName.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!
        let start = cap.periodStart(of: now, in: zone)
        let sent =
            try Int.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT count(*) FROM delivery WHERE customerId = ? AND destinationId = ?
                            AND status IN ('pending', 'delivered') AND createdAt >= ?
                        """
                ),
                arguments: [customerId, destination.id, SQLDate(start)]
            ) ?? 0
        guard sent >= cap.count else { return nil }
        return "frequency cap \(cap) reached (\(sent) since \(SQLDate.text(start)) UTC, period in \(zone.identifier))"
    }

    /// Why the queued `delivery` must not be sent now (consent revoked since it was queued), or `nil`.
    public func sendRefusal(_ delivery: Delivery) async throws(StoreError) -> String? {
        guard let customerId = delivery.customerId else { return nil }
        return try await read("check consent") { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT * FROM destination WHERE id = ?",
                    arguments: [delivery.destinationId]
                )
            else { return nil }
            return try Self.consentRefusal(db, destination: try Self.destination(row: row), customerId: customerId)
        }
    }
}
