import GRDB

/// Tables of outgoing webhooks: destinations (URL, signing secrets, headers, purpose, consent policy,
/// frequency cap), the transactional outbox of deliveries with every attempt, and customers' consent
/// per purpose.
enum DeliverySchema {
    static func create(_ db: Database) throws {
        try db.create(table: "destination") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("name", .text).notNull().unique()
            table.column("url", .text).notNull()
            // JSON array of `whsec_` secrets, newest last; the last two sign (rotation).
            table.column("secrets", .text).notNull()
            table.column("headers", .text).notNull().defaults(to: "{}")
            table.column("createdAt", .datetime).notNull()
            table.column("disabledAt", .datetime)
            table.column("disabledReason", .text)
            // What the destination contacts customers for (email, push, advertising); nil = no consent check.
            table.column("purpose", .text)
            // opt-in: only customers who granted the purpose; opt-out: all but those who revoked it.
            table.column("consentPolicy", .text).notNull().defaults(to: "opt-in")
            // At most capCount sends per customer per capPeriod (day, week, month; customer's time zone).
            table.column("capCount", .integer)
            table.column("capPeriod", .text)
        }
        try db.create(table: "delivery") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("destinationId", .integer).notNull().references("destination")
            table.column("webhookId", .text).notNull().unique()
            table.column("eventType", .text).notNull()
            table.column("customerId", .integer)
            table.column("payload", .text).notNull()
            table.column("createdAt", .datetime).notNull()
            // pending, delivered, dead (retry budget spent or endpoint gone), suppressed (no consent, capped)
            table.column("status", .text).notNull()
            table.column("attempts", .integer).notNull().defaults(to: 0)
            table.column("nextAttemptAt", .datetime)
            table.column("lastStatusCode", .integer)
            table.column("lastError", .text)
            table.column("deliveredAt", .datetime)
        }
        try db.create(index: "deliveryDue", on: "delivery", columns: ["status", "destinationId", "nextAttemptAt"])
        try db.create(table: "deliveryAttempt") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("deliveryId", .integer).notNull().references("delivery")
            table.column("attemptedAt", .datetime).notNull()
            table.column("statusCode", .integer)
            table.column("error", .text)
            table.column("milliseconds", .double).notNull()
        }
        try db.create(index: "attemptByDelivery", on: "deliveryAttempt", columns: ["deliveryId"])
        try db.create(
            index: "deliveryByCustomer",
            on: "delivery",
            columns: ["customerId", "destinationId", "createdAt"]
        )
        try db.create(table: "consent", options: .withoutRowID) { table in
            table.column("customerId", .integer).notNull().references("customer")
            // A purpose (email, push, advertising, …) or `all`.
            table.column("purpose", .text).notNull()
            table.column("granted", .boolean).notNull()
            // event, identify, import, api
            table.column("source", .text).notNull()
            table.column("updatedAt", .datetime).notNull()
            table.primaryKey(["customerId", "purpose"])
        }
    }
}
