import GRDB

/// Tables of segments: each segment's definition (a JSON condition) and its membership history,
/// one row per stay in a segment (current members have no `exitedAt`).
enum SegmentSchema {
    static func create(_ db: Database) throws {
        try db.create(table: "segment") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("name", .text).notNull().unique()
            table.column("definition", .text).notNull().check { $0 != "" }
            table.column("createdAt", .datetime).notNull()
            table.column("updatedAt", .datetime).notNull()
        }
        try db.create(table: "segmentMembership") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("segmentId", .integer).notNull().references("segment", onDelete: .cascade)
            table.column("customerId", .integer).notNull().references("customer")
            table.column("enteredAt", .datetime).notNull()
            table.column("exitedAt", .datetime)
            table.check(sql: "exitedAt IS NULL OR exitedAt >= enteredAt")
        }
        // At most one current stay per customer and segment; past stays are kept as history.
        try db.create(
            index: "segmentMembershipCurrent",
            on: "segmentMembership",
            columns: ["segmentId", "customerId"],
            options: .unique,
            condition: Column("exitedAt") == nil
        )
        try db.create(index: "segmentMembershipByCustomer", on: "segmentMembership", columns: ["customerId"])
    }

    /// Each segment's number of current members, kept with its memberships: set by a backfill,
    /// moved by the entries and exits of the real-time path, so that recording a step's changes does
    /// not count a segment's members (a walk over all of them) every time.
    static func addMemberCounts(_ db: Database) throws {
        try db.alter(table: "segment") { table in
            table.add(column: "memberCount", .integer).notNull().defaults(to: 0)
        }
        try db.execute(
            sql: """
                UPDATE segment SET memberCount =
                    (SELECT count(*) FROM segmentMembership WHERE segmentId = segment.id AND exitedAt IS NULL)
                """
        )
    }

    /// The processed `track` events by time, for the scheduled refresh, which re-evaluates only the
    /// customers with an event whose time crossed a window's edge since the last refresh (an event
    /// leaving "in the last 30 days"). Events are processed in about the order of their times, so
    /// new entries land at the index's end: a page or two per processing step. The second index
    /// holds only events dated after they were received (a client clock ahead, a scheduled event):
    /// the only ones whose own time can arrive after the real-time evaluation that followed them.
    static func indexEventTimes(_ db: Database) throws {
        try db.create(
            index: "trackEventByTime",
            on: "event",
            columns: ["timestamp", "name", "customerId"],
            condition: Column("customerId") != nil && Column("type") == "track"
        )
        try db.create(
            index: "futureDatedTrackEvent",
            on: "event",
            columns: ["timestamp"],
            condition: Column("customerId") != nil && Column("type") == "track"
                && Column("timestamp") > Column("receivedAt")
        )
    }
}
