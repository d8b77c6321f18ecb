import GRDB

/// Triggers: what makes a webhook go to a destination (a customer entering or leaving a segment).
enum TriggerSchema {
    static func create(_ db: Database) throws {
        try db.create(table: "trigger") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("name", .text).notNull().unique()
            // segment.entered or segment.exited
            table.column("event", .text).notNull()
            table.column("segmentId", .integer).notNull().references("segment", onDelete: .cascade)
            table.column("destinationId", .integer).notNull().references("destination", onDelete: .cascade)
            table.column("enabled", .boolean).notNull().defaults(to: true)
            table.column("createdAt", .datetime).notNull()
        }
        try db.create(index: "triggerBySegment", on: "trigger", columns: ["segmentId", "event"])
    }
}
