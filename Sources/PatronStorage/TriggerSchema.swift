import GRDB

/// Triggers: what makes a webhook go to a destination (a customer entering or leaving a segment,
/// or an event that matches a filter).
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

    /// v11: triggers on a matching event. A trigger now names either a segment (`segment.entered`,
    /// `segment.exited`) or an event name with an optional filter (`event.matched`); an event
    /// trigger only fires for events stored after it was created (`afterEventId`). SQLite cannot
    /// drop a NOT NULL constraint, so the table is rebuilt with the same ids.
    static func addEventTriggers(_ db: Database) throws {
        try db.create(table: "triggerWithEvents") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("name", .text).notNull().unique()
            // segment.entered, segment.exited or event.matched
            table.column("event", .text).notNull()
            table.column("segmentId", .integer).references("segment", onDelete: .cascade)
            // For event.matched: the track event's name, the filter (JSON) and the last event id
            // stored before the trigger existed.
            table.column("eventName", .text)
            table.column("filter", .text)
            table.column("afterEventId", .integer).notNull().defaults(to: 0)
            table.column("destinationId", .integer).notNull().references("destination", onDelete: .cascade)
            table.column("enabled", .boolean).notNull().defaults(to: true)
            table.column("createdAt", .datetime).notNull()
            table.check(sql: "(segmentId IS NULL) <> (eventName IS NULL)")
        }
        try db.execute(
            sql: """
                INSERT INTO triggerWithEvents (id, name, event, segmentId, destinationId, enabled, createdAt)
                SELECT id, name, event, segmentId, destinationId, enabled, createdAt FROM trigger
                """
        )
        try db.drop(table: "trigger")
        try db.rename(table: "triggerWithEvents", to: "trigger")
        try db.create(index: "triggerBySegment", on: "trigger", columns: ["segmentId", "event"])
        try db.create(index: "triggerByEventName", on: "trigger", columns: ["eventName"])
    }
}
