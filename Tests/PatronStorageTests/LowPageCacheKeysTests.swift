import CSQLiteSettings
import Foundation
import GRDB
import PatronStorage
import PatronTestSupport
import Testing

/// The page cache that files a B-tree balance's temporary page number under key 0
/// (`patron_sqlite_keep_page_cache_keys_low`): balances that renumber pages go through it, and
/// every row stays where the index says, in the writer's cache, in other connections and after
/// reopening.
struct LowPageCacheKeysTests {
    let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
        .path

    @Test func balancesThatRenumberPagesKeepEveryRowFindable() async throws {
        _ = try SQLiteStore(path: path)
        let movesBefore = patron_sqlite_temporary_page_moves()
        let pool = try DatabasePool(path: path)
        try await pool.write { db in
            try db.execute(sql: "PRAGMA cache_size = -65536")
            try db.execute(sql: "CREATE TABLE item (id INTEGER PRIMARY KEY, key TEXT NOT NULL, body BLOB NOT NULL)")
            try db.execute(sql: "CREATE UNIQUE INDEX itemByKey ON item (key)")
        }
        // Random keys split index pages all over the tree, as message ids do at ingest.
        for transaction in 0..<8 {
            try await pool.write { db in
                for row in 0..<2_500 {
                    try db.execute(
                        sql: "INSERT INTO item (id, key, body) VALUES (?, hex(randomblob(16)), randomblob(?))",
                        arguments: [transaction * 10_000 + row, 20 + row % 300]
                    )
                }
            }
            let found = try await pool.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM item WHERE key IN (SELECT key FROM item)")
            }
            #expect(found == (transaction + 1) * 2_500, "after transaction \(transaction)")
        }
        #expect(patron_sqlite_temporary_page_moves() > movesBefore)
        try pool.close()
        let reopened = try DatabaseQueue(path: path)
        let (integrity, byKey) = try await reopened.read { db in
            (
                try String.fetchOne(db, sql: "PRAGMA integrity_check"),
                try Int.fetchOne(db, sql: "SELECT count(*) FROM item INDEXED BY itemByKey WHERE key >= ''")
            )
        }
        #expect(integrity == "ok")
        #expect(byKey == 20_000)
    }
}
