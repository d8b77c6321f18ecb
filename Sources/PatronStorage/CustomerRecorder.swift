import Foundation
import GRDB
import PatronCore

/// Writes what one event says about its customer: activity counts, traits (latest timestamp wins
/// per trait), transactions from `Order Completed` / `Order Refunded`, and first-touch acquisition.
struct CustomerRecorder {
    let db: Database

    /// SQL condition (in an upsert on `acquisition`) for "the new touch replaces the stored one": a
    /// marketing touch (page, screen, campaign or referrer) beats any other event, then earlier wins.
    static let earlierTouch = """
        (excluded.isMarketingTouch > acquisition.isMarketingTouch
         OR (excluded.isMarketingTouch = acquisition.isMarketingTouch AND excluded.firstTouchAt < acquisition.firstTouchAt))
        """

    func record(_ event: SegmentEvent, eventId: Int64, source: String, customer: Int64) throws {
        try db.execute(sql: "UPDATE event SET customerId = ? WHERE id = ?", arguments: [customer, eventId])
        try db.execute(
            sql: """
                UPDATE customer SET eventCount = eventCount + 1,
                    firstSeen = min(coalesce(firstSeen, :at), :at), lastSeen = max(coalesce(lastSeen, :at), :at)
                WHERE id = :customer
                """,
            arguments: ["at": SQLDate(event.timestamp), "customer": customer]
        )
        try applyDerivedData(event, eventId: eventId, source: source, customer: customer)
    }

    /// Traits, transactions and acquisition of one event (everything but the counts).
    func applyDerivedData(_ event: SegmentEvent, eventId: Int64, source: String, customer: Int64) throws {
        for (key, value) in event.traits {
            try db.execute(
                sql: """
                    INSERT INTO trait (customerId, key, value, timestamp) VALUES (?, ?, ?, ?)
                    ON CONFLICT (customerId, key) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp
                    WHERE excluded.timestamp >= trait.timestamp
                    """,
                arguments: [customer, key, value.jsonText, SQLDate(event.timestamp)]
            )
        }
        switch OrderEvent(event) {
        case .completed(let order)?:
            try db.execute(
                sql: """
                    INSERT INTO customerTransaction (orderId, customerId, source, eventId, timestamp, revenue, currency, products)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (orderId) DO NOTHING
                    """,
                arguments: [
                    order.orderId, customer, source, eventId, SQLDate(event.timestamp), order.revenue, order.currency,
                    order.products.jsonText,
                ]
            )
        case .refunded(let orderId, let amount)?:
            try db.execute(
                sql: """
                    UPDATE customerTransaction
                    SET refundedAmount = min(revenue, refundedAmount + coalesce(?, revenue)), refundedAt = ?
                    WHERE orderId = ?
                    """,
                arguments: [amount, SQLDate(event.timestamp), orderId]
            )
        case nil:
            break
        }
        let touch = AcquisitionTouch(event: event, source: source)
        let isMarketingTouch =
            event.type == .page || event.type == .screen || touch.utmSource != nil || touch.utmMedium != nil
            || touch.referrer != nil
        try db.execute(
            sql: """
                INSERT INTO acquisition (customerId, source, utmSource, utmMedium, utmCampaign, referrer, channel,
                    isMarketingTouch, firstTouchAt, eventId)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (customerId) DO UPDATE SET source = excluded.source, utmSource = excluded.utmSource,
                    utmMedium = excluded.utmMedium, utmCampaign = excluded.utmCampaign, referrer = excluded.referrer,
                    channel = excluded.channel, isMarketingTouch = excluded.isMarketingTouch,
                    firstTouchAt = excluded.firstTouchAt, eventId = excluded.eventId
                WHERE \(Self.earlierTouch)
                """,
            arguments: [
                customer, touch.source, touch.utmSource, touch.utmMedium, touch.utmCampaign, touch.referrer,
                touch.channel,
                isMarketingTouch, SQLDate(event.timestamp), eventId,
            ]
        )
    }

    /// Recomputes a customer's counts, traits, acquisition and event-born transactions from the
    /// events that belong to it (after a split).
    func rebuild(customer: Int64) throws {
        try db.execute(
            sql: """
                UPDATE customer SET
                    eventCount = (SELECT count(*) FROM event WHERE customerId = :customer),
                    firstSeen = (SELECT min(timestamp) FROM event WHERE customerId = :customer),
                    lastSeen = (SELECT max(timestamp) FROM event WHERE customerId = :customer)
                WHERE id = :customer
                """,
            arguments: ["customer": customer]
        )
        try db.execute(sql: "DELETE FROM trait WHERE customerId = ?", arguments: [customer])
        try db.execute(sql: "DELETE FROM acquisition WHERE customerId = ?", arguments: [customer])
        try db.execute(
            sql: """
                UPDATE customerTransaction SET customerId = :customer
                WHERE eventId IN (SELECT id FROM event WHERE customerId = :customer)
                """,
            arguments: ["customer": customer]
        )
        let rows = try Row.fetchCursor(
            db,
            sql: "SELECT \(StoredEvent.columns) FROM event WHERE customerId = ? ORDER BY timestamp, id",
            arguments: [customer]
        )
        while let row = try rows.next() {
            let stored = try StoredEvent(row: row)
            try applyDerivedData(stored.event, eventId: stored.id, source: stored.source, customer: customer)
        }
    }
}

/// An event row read back from the store.
struct StoredEvent {
    static let columns = "id, source, type, messageId, userId, anonymousId, name, timestamp, receivedAt, payload"

    let id: Int64
    let source: String
    let event: SegmentEvent

    init(row: Row) throws {
        id = row["id"]
        source = row["source"]
        let payloadText: String = row["payload"]
        event = SegmentEvent(
            type: SegmentEventType(rawValue: row["type"]) ?? .track,
            messageId: row["messageId"],
            userId: row["userId"],
            anonymousId: row["anonymousId"],
            name: row["name"],
            timestamp: row["timestamp"],
            receivedAt: row["receivedAt"],
            payload: try JSONValue.parse(Data(payloadText.utf8))
        )
    }
}
