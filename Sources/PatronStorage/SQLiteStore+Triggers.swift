public import Foundation
import GRDB
import PatronCore

extension SQLiteStore {
    /// Creates a trigger that sends a webhook to `destination` when a customer enters (or leaves)
    /// `segment` (`score.changed`: enters the segment that holds its score condition, see
    /// `createScoreTrigger` of PatronSegments).
    /// - Throws: ``StoreError``: `.invalidInput` for `event.matched` (see
    ///   `createEventTrigger` of PatronSegments), `.notFound` for an unknown
    ///   segment or destination, `.conflict` when the name is taken.
    public func createTrigger(
        name: String,
        event: Trigger.Event,
        segment: String,
        destination: String,
        at now: Date = Date()
    ) async throws(StoreError) -> Trigger {
        guard event.isSegmentEvent else {
            throw StoreError(.invalidInput, "an \(event.rawValue) trigger needs an event name, not a segment")
        }
        return try await insertTrigger(
            Trigger(id: 0, name: name, event: event, segment: segment, destination: destination, createdAt: now)
        )
    }

    /// Creates a trigger that sends a webhook to `destination` for each `track` event named
    /// `eventName` stored from now on that passes `filterJSON` (checked by the caller).
    /// - Throws: ``StoreError``: `.notFound` for an unknown destination, `.conflict` when the name is taken.
    package func createEventTrigger(
        name: String,
        eventName: String,
        filterJSON filter: String?,
        destination: String,
        at now: Date = Date()
    ) async throws(StoreError) -> Trigger {
        guard !eventName.isEmpty else { throw StoreError(.invalidInput, "an event trigger needs an event name") }
        return try await insertTrigger(
            Trigger(
                id: 0,
                name: name,
                event: .eventMatched,
                eventName: eventName,
                filter: filter,
                destination: destination,
                createdAt: now
            )
        )
    }

    private func insertTrigger(_ trigger: Trigger) async throws(StoreError) -> Trigger {
        guard !trigger.name.isEmpty else { throw StoreError(.invalidInput, "a trigger needs a name") }
        return try await write("create trigger \(trigger.name)") { db in
            var segmentId: Int64?
            if let segment = trigger.segment {
                segmentId = try Int64.fetchOne(db, sql: "SELECT id FROM segment WHERE name = ?", arguments: [segment])
                guard segmentId != nil else { throw StoreError(.notFound, "no segment named '\(segment)'") }
            }
            guard
                let destinationId = try Int64.fetchOne(
                    db,
                    sql: "SELECT id FROM destination WHERE name = ?",
                    arguments: [trigger.destination]
                )
            else { throw StoreError(.notFound, "no destination named '\(trigger.destination)'") }
            guard
                try Int64.fetchOne(db, sql: "SELECT id FROM trigger WHERE name = ?", arguments: [trigger.name]) == nil
            else {
                throw StoreError(.conflict, "a trigger named '\(trigger.name)' exists already")
            }
            // An event trigger fires for events stored after this point only.
            let afterEventId = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM event") ?? 0
            try db.execute(
                sql: """
                    INSERT INTO trigger (name, event, segmentId, eventName, filter, afterEventId, destinationId, createdAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    trigger.name, trigger.event.rawValue, segmentId, trigger.eventName, trigger.filter,
                    trigger.eventName == nil ? 0 : afterEventId, destinationId, SQLDate(trigger.createdAt),
                ]
            )
            var created = trigger
            created.id = db.lastInsertedRowID
            return created
        }
    }

    /// Every trigger, by name.
    public func triggers() async throws(StoreError) -> [Trigger] {
        try await read("list triggers") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT t.id, t.name, t.event, s.name AS segment, t.eventName, t.filter, d.name AS destination,
                        t.enabled, t.createdAt
                    FROM trigger t LEFT JOIN segment s ON s.id = t.segmentId JOIN destination d ON d.id = t.destinationId
                    ORDER BY t.name
                    """
            )
            .map { row in
                Trigger(
                    id: row["id"],
                    name: row["name"],
                    event: Trigger.Event(rawValue: row["event"]) ?? .segmentEntered,
                    segment: row["segment"],
                    eventName: row["eventName"],
                    filter: row["filter"],
                    destination: row["destination"],
                    enabled: row["enabled"],
                    createdAt: (row["createdAt"] as SQLDate).date
                )
            }
        }
    }

    /// Queues the webhooks of the triggers on segment `segmentId` for the customers who `entered` and
    /// `exited` it, inside the transaction that records the change (the transactional outbox).
    /// Consent and frequency caps are applied by ``enqueueDelivery(_:destinationId:eventType:customerId:payload:at:)``.
    static func fireSegmentTriggers(
        _ db: Database,
        segmentId: Int64,
        entered: [Int64],
        exited: [Int64],
        at time: Date
    ) throws {
        guard !entered.isEmpty || !exited.isEmpty else { return }
        let triggers = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT t.name, t.event, t.destinationId, s.name AS segment FROM trigger t JOIN segment s ON s.id = t.segmentId
                    WHERE t.segmentId = ? AND t.enabled
                    """
            ),
            arguments: [segmentId]
        )
        for trigger in triggers {
            let event: String = trigger["event"]
            let customers = event == Trigger.Event.segmentExited.rawValue ? exited : entered
            for customer in customers {
                let payload = JSONValue.object([
                    "type": .string(event),
                    "occurredAt": .string(SegmentTimestamp.format(time)),
                    "trigger": .string(trigger["name"]),
                    "segment": .string(trigger["segment"]),
                    "customer": try customerPayload(db, customerId: customer),
                ])
                try enqueueDelivery(
                    db,
                    destinationId: trigger["destinationId"],
                    eventType: event,
                    customerId: customer,
                    payload: payload.jsonText,
                    at: time
                )
            }
        }
    }

    /// What a webhook says about a customer: ids, traits, current score and segments.
    static func customerPayload(_ db: Database, customerId: Int64) throws -> JSONValue {
        let ids = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT kind, value FROM identity WHERE customerId = ? ORDER BY kind, value"),
            arguments: [customerId]
        )
        .map { JSONValue.object(["kind": .string($0["kind"]), "value": .string($0["value"])]) }
        var traits: [String: JSONValue] = [:]
        for row in try Row.fetchAll(
            db.cachedStatement(sql: "SELECT key, value FROM trait WHERE customerId = ?"),
            arguments: [customerId]
        ) {
            let text: String = row["value"]
            traits[row["key"]] = (try? JSONValue.parse(Data(text.utf8))) ?? .string(text)
        }
        var score = JSONValue.null
        if let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM customerScore WHERE customerId = ?"),
            arguments: [customerId]
        ) {
            score = .object([
                "probabilityAlive": .number(row["probabilityAlive"]),
                "expectedPurchases365Days": .number(row["expectedPurchases365Days"]),
                "lifetimeValue1Year": .number(row["lifetimeValue1Year"]),
                "lifetimeValue3Years": .number(row["lifetimeValue3Years"]),
                "valueDecile": .number(Double(row["valueDecile"] as Int)),
                "tier": .string(row["tier"]),
                "modelVersionId": .number(Double(row["modelVersionId"] as Int64)),
            ])
        }
        let segments = try String.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT s.name FROM segmentMembership m JOIN segment s ON s.id = m.segmentId
                    WHERE m.customerId = ? AND m.exitedAt IS NULL ORDER BY s.name
                    """
            ),
            arguments: [customerId]
        )
        return .object([
            "id": .number(Double(customerId)), "ids": .array(ids), "traits": .object(traits), "score": score,
            "segments": .array(segments.map(JSONValue.string)),
        ])
    }
}
