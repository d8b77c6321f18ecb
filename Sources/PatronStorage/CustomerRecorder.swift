import Foundation
import GRDB
import PatronCore

/// Writes what one event says about its customer: activity counts, traits (latest timestamp wins
/// per trait), transactions from `Order Completed` / `Order Refunded`, and first-touch acquisition.
struct CustomerRecorder {
    let db: Database

    /// The columns of `acquisition`, in the order the upserts below give them.
    static let acquisitionColumns =
        "customerId, source, utmSource, utmMedium, utmCampaign, referrer, channel, isMarketingTouch, firstTouchAt, eventId"

    /// The end of an `INSERT INTO acquisition` that keeps the first touch: the new row replaces the
    /// stored one when it is a marketing touch (page, screen, campaign or referrer) and the stored
    /// one is not, or when both are of the same kind and the new one is earlier.
    static let keepFirstTouch = """
        ON CONFLICT (customerId) DO UPDATE SET source = excluded.source, utmSource = excluded.utmSource,
            utmMedium = excluded.utmMedium, utmCampaign = excluded.utmCampaign, referrer = excluded.referrer,
            channel = excluded.channel, isMarketingTouch = excluded.isMarketingTouch,
            firstTouchAt = excluded.firstTouchAt, eventId = excluded.eventId
        WHERE excluded.isMarketingTouch > acquisition.isMarketingTouch
            OR (excluded.isMarketingTouch = acquisition.isMarketingTouch AND excluded.firstTouchAt < acquisition.firstTouchAt)
        """

    /// Records one event for `customer`.
    /// - Returns: the customer whose transactions changed (an order or a refund), if any.
    @discardableResult
    func record(_ prepared: PreparedEvent, customer: Int64) throws -> Int64? {
        let event = prepared.event
        let eventId = prepared.id
        try db.executeCached(sql: "UPDATE event SET customerId = ? WHERE id = ?", arguments: [customer, eventId])
        try db.executeCached(
            sql: """
                UPDATE customer SET eventCount = eventCount + 1,
                    firstSeen = min(coalesce(firstSeen, :at), :at), lastSeen = max(coalesce(lastSeen, :at), :at)
                WHERE id = :customer
                """,
            arguments: ["at": SQLDate(event.timestamp), "customer": customer]
        )
        return try applyDerivedData(prepared, customer: customer)
    }

    /// Traits, transactions and acquisition of one event (everything but the counts).
    /// - Returns: the customer whose transactions changed (an order or a refund), if any.
    @discardableResult
    func applyDerivedData(_ prepared: PreparedEvent, customer: Int64) throws -> Int64? {
        let event = prepared.event
        let eventId = prepared.id
        for (key, value) in prepared.traits {
            try db.executeCached(
                sql: """
                    INSERT INTO trait (customerId, key, value, timestamp) VALUES (?, ?, ?, ?)
                    ON CONFLICT (customerId, key) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp
                    WHERE excluded.timestamp >= trait.timestamp
                    """,
                arguments: [customer, key, value, SQLDate(event.timestamp)]
            )
        }
        try recordConsent(event, customer: customer)
        var ordering: Int64?
        switch prepared.order {
        case .completed(let order)?:
            try db.executeCached(
                sql: """
                    INSERT INTO customerTransaction (orderId, customerId, source, eventId, timestamp, revenue, currency, products)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (orderId) DO NOTHING
                    """,
                arguments: [
                    order.orderId, customer, prepared.source, eventId, SQLDate(event.timestamp), order.revenue,
                    order.currency,
                    order.products.jsonText,
                ]
            )
            if db.changesCount > 0 { ordering = customer }
        case .refunded(let orderId, let amount)?:
            ordering = try Int64.fetchOne(
                db.cachedStatement(
                    sql: """
                        UPDATE customerTransaction
                        SET refundedAmount = min(revenue, refundedAmount + coalesce(?, revenue)), refundedAt = ?
                        WHERE orderId = ? RETURNING customerId
                        """
                ),
                arguments: [amount, SQLDate(event.timestamp), orderId]
            )
        case nil:
            break
        }
        let touch = prepared.touch
        try db.executeCached(
            sql: """
                INSERT INTO acquisition (\(Self.acquisitionColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                \(Self.keepFirstTouch)
                """,
            arguments: [
                customer, prepared.source, touch?.utmSource, touch?.utmMedium, touch?.utmCampaign, touch?.referrer,
                touch?.channel ?? "direct", touch != nil, SQLDate(event.timestamp), eventId,
            ]
        )
        return ordering
    }

    /// Recomputes a customer's counts, traits, acquisition and event-born transactions from the
    /// events that belong to it (after a split).
    func rebuild(customer: Int64) throws {
        try db.executeCached(
            sql: """
                UPDATE customer SET
                    eventCount = (SELECT count(*) FROM event WHERE customerId = :customer),
                    firstSeen = (SELECT min(timestamp) FROM event WHERE customerId = :customer),
                    lastSeen = (SELECT max(timestamp) FROM event WHERE customerId = :customer)
                WHERE id = :customer
                """,
            arguments: ["customer": customer]
        )
        try db.executeCached(sql: "DELETE FROM trait WHERE customerId = ?", arguments: [customer])
        try db.executeCached(sql: "DELETE FROM acquisition WHERE customerId = ?", arguments: [customer])
        try db.executeCached(
            sql: """
                UPDATE customerTransaction SET customerId = :customer
                WHERE eventId IN (SELECT id FROM event WHERE customerId = :customer)
                """,
            arguments: ["customer": customer]
        )
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: "SELECT \(StoredEvent.columns) FROM event WHERE customerId = ? ORDER BY timestamp, id"
            ),
            arguments: [customer]
        )
        while let row = try rows.next() {
            try applyDerivedData(PreparedEvent(try StoredEvent(row: row), rules: IdentityRules()), customer: customer)
        }
    }

    /// Consent from an event: Segment's `context.consent.categoryPreferences` (`{"Email": false, …}`,
    /// category names lower-cased as purposes) and the `unsubscribed` trait (`true` revokes everything).
    func recordConsent(_ event: SegmentEvent, customer: Int64) throws {
        if let preferences = event.payload["context"]?["consent"]?["categoryPreferences"]?.objectValue {
            for (category, value) in preferences {
                guard case .bool(let granted) = value else { continue }
                try SQLiteStore.recordConsent(
                    db,
                    customerId: customer,
                    purpose: category,
                    granted: granted,
                    source: "event",
                    at: event.timestamp
                )
            }
        }
        if case .bool(true)? = event.traits["unsubscribed"] {
            try SQLiteStore.recordConsent(
                db,
                customerId: customer,
                purpose: "all",
                granted: false,
                source: "identify",
                at: event.timestamp
            )
        }
    }
}
