public import Foundation
import GRDB
import PatronCore

/// An enabled `event.matched` trigger, as the event-trigger engine reads it.
public struct EventTriggerRule: Sendable, Hashable {
    /// The trigger's name.
    public var name: String
    /// The `track` event name it waits for.
    public var eventName: String
    /// Its filter as JSON text, or `nil` for every event of the name.
    public var filter: String?
    /// Its destination's id.
    public var destinationId: Int64
    /// It fires for events with a larger id only (those stored after it was created).
    public var afterEventId: Int64
}

/// A processed `track` event that one or more event triggers wait for.
public struct TriggerCandidateEvent: Sendable, Hashable {
    /// The event's id in the store.
    public var id: Int64
    /// The customer processing recorded it for (possibly merged since).
    public var customerId: Int64?
    /// The event name.
    public var name: String
    /// The stored event, as JSON text.
    public var payload: String
}

/// One stretch of processed events to match against the event triggers, from the durable
/// `eventTriggers` cursor.
public struct EventTriggerWork: Sendable {
    /// The cursor as read; the firings are recorded only if it has not moved since.
    public var cursor: Int64
    /// The cursor after this stretch (every event up to here was considered).
    public var upTo: Int64
    /// The enabled event triggers.
    public var rules: [EventTriggerRule]
    /// The stretch's `track` events whose name some trigger waits for, in id order.
    public var events: [TriggerCandidateEvent]
}

/// A webhook an event trigger sends for one event.
public struct EventTriggerFiring: Sendable, Hashable {
    /// The trigger's name.
    public var trigger: String
    /// Its destination's id.
    public var destinationId: Int64
    /// The event that matched.
    public var event: TriggerCandidateEvent

    /// Creates a firing.
    public init(trigger: String, destinationId: Int64, event: TriggerCandidateEvent) {
        self.trigger = trigger
        self.destinationId = destinationId
        self.event = event
    }
}

extension SQLiteStore {
    /// The next processed events to match against the enabled `event.matched` triggers (at most
    /// `limit` candidates, none after event `through`), or `nil` when there is no such trigger or
    /// nothing new has been processed. Only events already turned into customers are considered, so
    /// each has its customer.
    public func pendingEventTriggerWork(
        limit: Int = 500,
        through: Int64 = .max
    ) async throws(StoreError) -> EventTriggerWork? {
        try await read("read events for triggers") { db in
            let rules = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT name, eventName, filter, destinationId, afterEventId FROM trigger
                        WHERE event = 'event.matched' AND enabled ORDER BY name
                        """
                )
            )
            .map {
                EventTriggerRule(
                    name: $0["name"],
                    eventName: $0["eventName"],
                    filter: $0["filter"],
                    destinationId: $0["destinationId"],
                    afterEventId: $0["afterEventId"]
                )
            }
            guard let earliest = rules.map(\.afterEventId).min() else { return nil }
            let cursor = try Self.eventTriggerCursor(db)
            let processed = min(try Self.processingCursor(db), through)
            let start = max(cursor, earliest)
            guard start < processed else { return nil }
            let names = JSONValue.array(Set(rules.map(\.eventName)).sorted().map(JSONValue.string)).jsonText
            let events = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT id, customerId, name, payload FROM event
                        WHERE id > ? AND id <= ? AND type = 'track' AND name IN (SELECT value FROM json_each(?))
                        ORDER BY id LIMIT ?
                        """
                ),
                arguments: [start, processed, names, limit]
            )
            .map {
                TriggerCandidateEvent(
                    id: $0["id"],
                    customerId: $0["customerId"],
                    name: $0["name"],
                    payload: $0["payload"]
                )
            }
            let upTo = events.count == limit ? events[events.count - 1].id : processed
            return EventTriggerWork(cursor: cursor, upTo: upTo, rules: rules, events: events)
        }
    }

    /// Queues the webhooks of `firings` (consent and frequency caps apply, see
    /// ``enqueueDelivery(_:destinationId:eventType:customerId:payload:at:)``) and moves the
    /// `eventTriggers` cursor to `work.upTo`, in one transaction; nothing is written when another
    /// call moved the cursor since `work` was read.
    /// - Returns: the number of webhooks queued (suppressed ones included).
    @discardableResult
    public func recordEventTriggerFirings(
        _ firings: [EventTriggerFiring],
        of work: EventTriggerWork,
        at time: Date = Date()
    ) async throws(StoreError) -> Int {
        try await writeWithoutFsync("queue event trigger webhooks") { db in
            guard try Self.eventTriggerCursor(db) == work.cursor else { return 0 }
            for firing in firings {
                let customerId = try firing.event.customerId.map { try Self.currentCustomer(of: $0, db: db) }
                let event = (try? JSONValue.parse(Data(firing.event.payload.utf8))) ?? .string(firing.event.payload)
                let payload = JSONValue.object([
                    "type": .string(Trigger.Event.eventMatched.rawValue),
                    "occurredAt": .string(SegmentTimestamp.format(time)),
                    "trigger": .string(firing.trigger),
                    "event": event,
                    "customer": try customerId.map { try Self.customerPayload(db, customerId: $0) } ?? .null,
                ])
                try Self.enqueueDelivery(
                    db,
                    destinationId: firing.destinationId,
                    eventType: Trigger.Event.eventMatched.rawValue,
                    customerId: customerId,
                    payload: payload.jsonText,
                    at: time
                )
            }
            try db.executeCached(
                sql: """
                    INSERT INTO processingCursor (name, lastEventId) VALUES ('eventTriggers', ?)
                    ON CONFLICT (name) DO UPDATE SET lastEventId = excluded.lastEventId
                    """,
                arguments: [work.upTo]
            )
            return firings.count
        }
    }

    static func eventTriggerCursor(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT lastEventId FROM processingCursor WHERE name = 'eventTriggers'")
        ) ?? 0
    }

    /// The customer `id` was merged into (following merges), or `id` itself.
    static func currentCustomer(of id: Int64, db: Database) throws -> Int64 {
        var current = id
        for _ in 0..<64 {
            guard
                let next = try Int64.fetchOne(
                    db.cachedStatement(sql: "SELECT mergedInto FROM customer WHERE id = ?"),
                    arguments: [current]
                )
            else { return current }
            current = next
        }
        return current
    }
}
