import Foundation
import GRDB
import PatronCore
import PatronTestSupport
import Testing

@testable import PatronStorage

/// `eventByCustomer` covers processed events only (ingest writes no entry to it), and every lookup of
/// a customer's events still uses it.
struct EventIndexTests {
    static func temporaryPath() -> String {
        TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite").path
    }

    static let events = #"""
        {"batch":[
          {"type":"identify","userId":"u1","messageId":"1","traits":{"email":"a@b.c"},"timestamp":"2026-01-01T00:00:00Z"},
          {"type":"track","userId":"u1","messageId":"2","event":"Viewed","timestamp":"2026-01-02T00:00:00Z"},
          {"type":"track","userId":"u2","messageId":"3","event":"Viewed","timestamp":"2026-01-03T00:00:00Z"}
        ]}
        """#

    /// Lookups by customer as the store and the segment engine write them.
    /// (Bound as the code binds them: 1 for a customer, `[1]` for a JSON list.)
    static let lookups = [
        "SELECT count(*) FROM event WHERE customerId = ?",
        "SELECT min(timestamp) FROM event WHERE customerId = ?",
        "SELECT id FROM event WHERE customerId = ? ORDER BY timestamp, id",
        "UPDATE event SET customerId = 2 WHERE customerId = ?",
        "SELECT id FROM event WHERE customerId IN (SELECT value FROM json_each(?)) AND timestamp >= '2026'",
        """
        SELECT customer.id FROM customer WHERE (SELECT count(*) FROM event AS counted
        WHERE counted.customerId = customer.id AND counted.name = 'Viewed') >= 1
        """,
    ]

    static func indexDefinition(_ db: Database) throws -> String? {
        try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'eventByCustomer'")
    }

    static func indexEntries(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM event INDEXED BY eventByCustomer WHERE customerId > 0") ?? -1
    }

    @Test func theIndexSkipsUnprocessedEventsAndServesEveryLookup() async throws {
        let store = try SQLiteStore(path: Self.temporaryPath())
        let request = try SegmentRequest.parse(body: Data(Self.events.utf8), single: nil, receivedAt: Date())
        _ = try await store.ingest(IngestBatch(source: "web", accepted: request.accepted, rejected: []))
        let index = try await store.writer.read { db in try Self.indexDefinition(db) }
        #expect(index?.contains(#"WHERE "customerId" IS NOT NULL"#) == true, "\(index ?? "no index")")
        #expect(try await store.processPending().events == 3)
        let after = try await store.writer.read { db in try Self.indexEntries(db) }
        #expect(after == 3)
        let plans = try await store.writer.read { db in
            try Self.lookups.map { sql in
                let arguments: StatementArguments = sql.contains("json_each") ? ["[1]"] : sql.contains("?") ? [1] : []
                return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments)
                    .map { $0["detail"] as String }.joined(separator: "; ")
            }
        }
        for (sql, plan) in zip(Self.lookups, plans) {
            #expect(plan.contains("eventByCustomer"), "\(sql) → \(plan)")
        }
    }

    /// A database of v13 (full index, events already processed and not yet processed) gets the
    /// partial index from migration v14, and lookups find the same events.
    @Test func migrationV14KeepsTheProcessedEventsInTheIndex() async throws {
        let path = Self.temporaryPath()
        let queue = try DatabaseQueue(path: path)
        try SQLiteStore.migrator.migrate(queue, upTo: "v13: import seen ranges journaled per batch")
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO customer (id, createdAt) VALUES (1, '2026-01-01 00:00:00.000');
                    INSERT INTO event (source, messageId, type, userId, timestamp, receivedAt, payload, customerId)
                    VALUES ('web', 'a', 'track', 'u1', '2026-01-02 00:00:00.000', '2026-01-02 00:00:00.000', '{}', 1),
                           ('web', 'b', 'track', 'u1', '2026-01-03 00:00:00.000', '2026-01-03 00:00:00.000', '{}', NULL);
                    """
            )
        }
        try queue.close()
        let store = try SQLiteStore(path: path)
        let (index, entries, found) = try await store.writer.read { db in
            (
                try Self.indexDefinition(db),
                try Self.indexEntries(db),
                try String.fetchAll(db, sql: "SELECT messageId FROM event WHERE customerId = ?", arguments: [1])
            )
        }
        #expect(index?.contains(#"WHERE "customerId" IS NOT NULL"#) == true, "\(index ?? "no index")")
        #expect(entries == 1)
        #expect(found == ["a"])
    }
}
