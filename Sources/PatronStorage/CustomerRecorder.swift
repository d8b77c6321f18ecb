import Foundation
import GRDB
import PatronCore

/// Writes what one event says about its customer: activity counts, traits (latest timestamp wins
/// per trait), transactions from `Order Completed` / `Order Refunded`, and first-touch acquisition.
struct CustomerRecorder {
    let db: Database
    /// `UPDATE event SET customerId`: the event's customer (?1) by event id (?2).
    private let assignEvent: BoundStatement
    /// The customer's (?2) count and seen range widened with an event at ?1.
    private let countEvent: BoundStatement
    /// The acquisition upsert that keeps the first touch (``keepFirstTouch``).
    private let noteTouch: BoundStatement

    /// A recorder writing through `db`, inside its transaction.
    init(db: Database) throws {
        self.db = db
        assignEvent = try BoundStatement(db, sql: "UPDATE event SET customerId = ?1 WHERE id = ?2")
        countEvent = try BoundStatement(
            db,
            sql: """
                UPDATE customer SET eventCount = eventCount + 1,
                    firstSeen = min(coalesce(firstSeen, ?1), ?1), lastSeen = max(coalesce(lastSeen, ?1), ?1)
                WHERE id = ?2
                """
        )
        noteTouch = try BoundStatement(
            db,
            sql: """
                INSERT INTO acquisition (\(Self.acquisitionColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                \(Self.keepFirstTouch)
                """
        )
    }

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

    /// Records one event for `customer`, skipping its first touch when `floors` says it cannot win.
    /// - Returns: the customer whose transactions changed (an order or a refund), if any.
    @discardableResult
    func record(_ prepared: PreparedEvent, customer: Int64, floors: inout FirstTouchFloors) throws -> Int64? {
        assignEvent.bind(customer, at: 1)
        assignEvent.bind(prepared.id, at: 2)
        try assignEvent.execute()
        countEvent.bind(prepared.timestampText, at: 1)
        countEvent.bind(customer, at: 2)
        try countEvent.execute()
        return try applyDerivedData(prepared, customer: customer, floors: &floors)
    }

    /// Traits, transactions and acquisition of one event (everything but the counts); the first
    /// touch is skipped when `floors` says it cannot win, and noted there when written.
    /// - Returns: the customer whose transactions changed (an order or a refund), if any.
    @discardableResult
    func applyDerivedData(
        _ prepared: PreparedEvent,
        customer: Int64,
        floors: inout FirstTouchFloors
    ) throws
        -> Int64?
    {
        let event = prepared.event
        let eventId = prepared.id
        for (key, value) in prepared.traits {
            try db.executeCached(
                sql: """
                    INSERT INTO trait (customerId, key, value, timestamp) VALUES (?, ?, ?, ?)
                    ON CONFLICT (customerId, key) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp
                    WHERE excluded.timestamp >= trait.timestamp
                    """,
                arguments: [customer, key, value, prepared.timestampText]
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
        let firstTouch = FirstTouchFloors.Touch(isMarketing: touch != nil, at: prepared.timestampText)
        if floors.cannotBeBeaten(by: firstTouch, customer: customer) { return ordering }
        noteTouch.bind(customer, at: 1)
        noteTouch.bind(prepared.source, at: 2)
        noteTouch.bind(touch?.utmSource, at: 3)
        noteTouch.bind(touch?.utmMedium, at: 4)
        noteTouch.bind(touch?.utmCampaign, at: 5)
        noteTouch.bind(touch?.referrer, at: 6)
        noteTouch.bind(touch?.channel ?? "direct", at: 7)
        noteTouch.bind(Int64(touch == nil ? 0 : 1), at: 8)
        noteTouch.bind(prepared.timestampText, at: 9)
        noteTouch.bind(eventId, at: 10)
        try noteTouch.execute()
        floors.note(firstTouch, customer: customer)
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
        // The customer's acquisition was just deleted: only this rebuild's touches are known.
        var floors = FirstTouchFloors()
        while let row = try rows.next() {
            try applyDerivedData(
                PreparedEvent(try StoredEvent(row: row), rules: IdentityRules()),
                customer: customer,
                floors: &floors
            )
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
