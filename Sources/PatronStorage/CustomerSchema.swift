import GRDB

/// Tables built from events once they are committed: customers and their ids (the identity graph),
/// traits, transactions, first-touch acquisition, the merge audit, and the processing cursor.
enum CustomerSchema {
    /// `eventByCustomer` only over processed events (`customerId` set). Ingest stores events
    /// without a customer; in the full index each of them landed at a random place among the
    /// unprocessed ones (keyed by timestamp), one random page written to the log and copied back
    /// at the checkpoint per event, which made the index the dearest part of an ingest commit.
    /// Nothing looks events up by a missing customer: every lookup by customer (`customerId = ?`,
    /// `IN`, or an explicit `IS NOT NULL`) implies the index's condition, so SQLite still uses it.
    static func indexProcessedEventsOnly(_ db: Database) throws {
        try db.drop(index: "eventByCustomer")
        try db.create(
            index: "eventByCustomer",
            on: "event",
            columns: ["customerId", "timestamp"],
            condition: Column("customerId") != nil
        )
    }

    static func create(_ db: Database) throws {
        try db.alter(table: "event") { table in table.add(column: "customerId", .integer) }
        try db.create(index: "eventByCustomer", on: "event", columns: ["customerId", "timestamp"])
        try db.create(table: "customer") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("createdAt", .datetime).notNull()
            table.column("firstSeen", .datetime)
            table.column("lastSeen", .datetime)
            table.column("eventCount", .integer).notNull().defaults(to: 0)
            table.column("mergedInto", .integer).references("customer")
        }
        try db.create(table: "identity") { table in
            table.column("kind", .text).notNull()
            table.column("value", .text).notNull()
            table.column("customerId", .integer).notNull().references("customer")
            table.column("firstEventId", .integer)
            table.column("createdAt", .datetime).notNull()
            table.primaryKey(["kind", "value"])
        }
        try db.create(index: "identityByCustomer", on: "identity", columns: ["customerId"])
        try db.create(index: "identityByValue", on: "identity", columns: ["value"])
        try db.create(table: "trait") { table in
            table.column("customerId", .integer).notNull().references("customer")
            table.column("key", .text).notNull()
            table.column("value", .text).notNull()
            table.column("timestamp", .datetime).notNull()
            table.primaryKey(["customerId", "key"])
        }
        try db.create(index: "traitByKeyValue", on: "trait", columns: ["key", "value"])
        try db.create(table: "customerTransaction") { table in
            table.primaryKey("orderId", .text)
            table.column("customerId", .integer).notNull().references("customer")
            table.column("source", .text).notNull()
            table.column("eventId", .integer)
            table.column("timestamp", .datetime).notNull()
            table.column("revenue", .double).notNull()
            table.column("currency", .text).notNull()
            table.column("products", .text).notNull().defaults(to: "[]")
            table.column("refundedAmount", .double).notNull().defaults(to: 0)
            table.column("refundedAt", .datetime)
        }
        try db.create(index: "transactionByCustomer", on: "customerTransaction", columns: ["customerId", "timestamp"])
        try db.create(table: "acquisition") { table in
            table.primaryKey("customerId", .integer).references("customer")
            table.column("source", .text).notNull()
            table.column("utmSource", .text)
            table.column("utmMedium", .text)
            table.column("utmCampaign", .text)
            table.column("referrer", .text)
            table.column("channel", .text).notNull()
            table.column("isMarketingTouch", .boolean).notNull()
            table.column("firstTouchAt", .datetime).notNull()
            table.column("eventId", .integer)
        }
        try db.create(table: "identityAudit") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("eventId", .integer)
            table.column("action", .text).notNull()
            table.column("customerId", .integer)
            table.column("otherCustomerId", .integer)
            table.column("identifiers", .text).notNull()
            table.column("reason", .text).notNull()
            table.column("at", .datetime).notNull()
            table.column("undoneAt", .datetime)
        }
        try db.create(index: "auditByCustomer", on: "identityAudit", columns: ["customerId"])
        try db.create(index: "auditByOtherCustomer", on: "identityAudit", columns: ["otherCustomerId"])
        try db.create(table: "processingCursor") { table in
            table.primaryKey("name", .text)
            table.column("lastEventId", .integer).notNull()
        }
    }
}
