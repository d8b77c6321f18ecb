import Foundation
import GRDB
import GRDBSQLite
import PatronStorage
import PatronTestSupport
import Testing

/// The VFS that gathers a transaction's write-ahead log writes (`patron_sqlite_batch_log_writes`):
/// what a commit wrote must be read back by other connections at once, whole, and after reopening,
/// whatever the transaction's size (beyond one buffer, and spilled before the commit).
struct BatchedLogWritesTests {
    let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
        .path

    @Test func theStoreOpensFilesThroughTheBatchingVFS() throws {
        _ = try SQLiteStore(path: path)
        let name = try #require(sqlite3_vfs_find(nil)?.pointee.zName)
        #expect(String(cString: name) == "patron-batched-log")
    }

    @Test func commitsOfEverySizeAreReadBackByOtherConnectionsAndAfterReopening() async throws {
        _ = try SQLiteStore(path: path)
        let pool = try DatabasePool(path: path)
        try await pool.write { db in
            // A small page cache makes the large transaction spill pages to the log before its
            // commit, and write some of them again.
            try db.execute(sql: "PRAGMA cache_size = 20")
            try db.execute(sql: "CREATE TABLE item (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
        }
        var total = 0
        for (transaction, rows) in [1, 3, 40, 2_000, 7, 500].enumerated() {
            try await pool.write { db in
                for row in 0..<rows {
                    let id = transaction * 10_000 + row
                    try db.execute(
                        sql: "INSERT INTO item (id, body) VALUES (?, randomblob(?))",
                        arguments: [id, 200 + row % 3_000]
                    )
                }
                // Rewrites pages the transaction already wrote.
                try db.execute(sql: "UPDATE item SET body = body || x'00' WHERE id % 3 = 0")
            }
            total += rows
            let seen = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM item") }
            #expect(seen == total, "after transaction \(transaction)")
        }
        let lengths = try await pool.read { db in
            try Int.fetchOne(db, sql: "SELECT sum(length(body)) FROM item")
        }
        try pool.close()
        let reopened = try DatabaseQueue(path: path)
        let (integrity, count, reopenedLengths) = try await reopened.read { db in
            (
                try String.fetchOne(db, sql: "PRAGMA integrity_check"),
                try Int.fetchOne(db, sql: "SELECT count(*) FROM item"),
                try Int.fetchOne(db, sql: "SELECT sum(length(body)) FROM item")
            )
        }
        #expect(integrity == "ok")
        #expect(count == total)
        #expect(reopenedLengths == lengths)
    }
}
