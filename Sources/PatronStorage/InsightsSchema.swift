import GRDB

/// Tables of the insight engine: fitted model versions and the per-customer scores they produced
/// (the current score and its history).
enum InsightsSchema {
    static func create(_ db: Database) throws {
        try db.create(table: "modelVersion") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("createdAt", .datetime).notNull()
            table.column("purchaseModel", .text).notNull()
            table.column("isActive", .boolean).notNull().defaults(to: false)
            // The whole version (parameters, standard errors, cut-off, metrics) as JSON.
            table.column("document", .text).notNull()
        }
        try db.create(table: "customerScore") { table in
            table.primaryKey("customerId", .integer).references("customer")
            table.column("modelVersionId", .integer).notNull().references("modelVersion")
            table.column("scoredAt", .datetime).notNull()
            table.column("probabilityAlive", .double).notNull()
            table.column("expectedPurchases90Days", .double).notNull()
            table.column("expectedPurchases365Days", .double).notNull()
            table.column("expectedSpend", .double).notNull()
            table.column("lifetimeValue1Year", .double).notNull()
            table.column("lifetimeValue3Years", .double).notNull()
            table.column("valueDecile", .integer).notNull()
            table.column("tier", .text).notNull()
        }
        try db.create(index: "scoreByValue", on: "customerScore", columns: ["lifetimeValue3Years"])
        try db.create(table: "scoreHistory") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("customerId", .integer).notNull()
            table.column("modelVersionId", .integer).notNull()
            table.column("scoredAt", .datetime).notNull()
            table.column("reason", .text).notNull()
            table.column("probabilityAlive", .double).notNull()
            table.column("expectedPurchases365Days", .double).notNull()
            table.column("lifetimeValue3Years", .double).notNull()
            table.column("valueDecile", .integer).notNull()
            table.column("tier", .text).notNull()
        }
        try db.create(index: "scoreHistoryByCustomer", on: "scoreHistory", columns: ["customerId", "scoredAt"])
    }

    /// The purchase day of each transaction as a virtual column, and the per-customer index widened to
    /// cover what summaries read: a summary of all customers is then one ordered pass over the index
    /// instead of a table scan, a date computation per row and a sort.
    static func addPurchaseDays(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE customerTransaction ADD COLUMN purchaseDay INTEGER
                GENERATED ALWAYS AS (CAST(julianday(substr(timestamp, 1, 10)) - 2440587.5 AS INTEGER)) VIRTUAL
                """
        )
        try db.execute(sql: "DROP INDEX IF EXISTS \(SQLiteStore.transactionIndex)")
        try SQLiteStore.createTransactionIndex(db)
    }

    /// Value snapshots: the customer base valued as of a day by a model fitted on the data up to that
    /// day (no look-ahead), per customer and in total.
    static func createSnapshots(_ db: Database) throws {
        try db.create(table: "valueSnapshot") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("asOfDay", .integer).notNull().unique()
            table.column("modelVersionId", .integer).notNull().references("modelVersion")
            table.column("createdAt", .datetime).notNull()
            table.column("customers", .integer).notNull()
            table.column("lifetimeValue3Years", .double).notNull()
        }
        try db.create(table: "customerSnapshot", options: .withoutRowID) { table in
            table.column("snapshotId", .integer).notNull().references("valueSnapshot", onDelete: .cascade)
            table.column("customerId", .integer).notNull()
            table.column("probabilityAlive", .double).notNull()
            table.column("lifetimeValue3Years", .double).notNull()
            table.column("valueDecile", .integer).notNull()
            table.column("tier", .text).notNull()
            table.primaryKey(["snapshotId", "customerId"])
        }
    }

    /// Marketing spend per day, channel and campaign (imported from CSV), for ROI per channel.
    static func createMarketingSpend(_ db: Database) throws {
        try db.create(table: "marketingSpend", options: .withoutRowID) { table in
            table.column("day", .integer).notNull()
            table.column("channel", .text).notNull()
            table.column("campaign", .text).notNull().defaults(to: "")
            table.column("amount", .double).notNull()
            table.column("currency", .text).notNull()
            table.primaryKey(["day", "channel", "campaign"])
        }
    }
}
