import Foundation
import GRDB
import PatronCore
import PatronTestSupport
import Testing

@testable import PatronStorage

/// `importTransactions` across batches: what it remembers between them must never outlive a
/// change made by someone else, a failed batch, or a crash; re-imports add nothing.
struct TransactionImportTests {
    let path: String
    let store: SQLiteStore

    init() throws {
        path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite").path
        store = try SQLiteStore(path: path)
    }

    static func day(_ day: Int) -> Date { Date(timeIntervalSince1970: Double(20_454 + day) * 86_400) }

    static func row(
        _ customer: String,
        _ order: String,
        day: Int,
        kind: String = Identifier.userIdKind
    )
        -> ImportedTransaction
    {
        ImportedTransaction(
            customer: Identifier(kind: kind, value: customer),
            orderId: order,
            timestamp: Self.day(day),
            amount: 10,
            currency: "EUR"
        )
    }

    /// The writer's page cache, in KiB.
    func writerCacheKiB() async throws -> Int {
        -(try await store.writer.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? 0 })
    }

    /// An import batch enlarges the writer's page cache; a single import call, or the end of a large
    /// import (`foldImportedSeenRanges`), gives the writer its usual cache back.
    @Test func theWriterGetsItsUsualPageCacheBackAfterAnImport() async throws {
        #expect(try await writerCacheKiB() == SQLiteStore.writerCacheKiB)
        _ = try await store.importTransactions([Self.row("ann", "o1", day: 1)])
        #expect(try await writerCacheKiB() == SQLiteStore.writerCacheKiB)
        _ = try await store.importTransactions([Self.row("ann", "o2", day: 2)], deferringSeenRanges: true)
        #expect(try await writerCacheKiB() == SQLiteStore.importCacheKiB, "kept between the batches of a large import")
        try await store.foldImportedSeenRanges()
        #expect(try await writerCacheKiB() == SQLiteStore.writerCacheKiB)
    }

    /// Stores the events (JSON objects of a batch) through `store` as source `web`, then processes them.
    static func send(_ store: SQLiteStore, _ events: String...) async throws {
        let body = Data(#"{"batch":[\#(events.joined(separator: ","))]}"#.utf8)
        let request = try SegmentRequest.parse(body: body, single: nil, receivedAt: Date())
        #expect(request.rejected.isEmpty, "test events must be valid: \(request.rejected)")
        _ = try await store.ingest(IngestBatch(source: "web", accepted: request.accepted, rejected: request.rejected))
        try await store.processAll()
    }

    func transactionCount() async throws -> Int {
        try await store.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM customerTransaction") ?? -1
        }
    }

    @Test func seenRangesWidenAcrossBatchesOnlyWithImportedRows() async throws {
        var outcome = try await store.importTransactions([Self.row("c1", "o1", day: 5), Self.row("c1", "o2", day: 6)])
        #expect(outcome.customersCreated == 1)
        outcome = try await store.importTransactions([Self.row("c1", "o3", day: 2), Self.row("c1", "o4", day: 9)])
        #expect(outcome.imported == 2)
        let id = try #require(try await store.customerId(anyId: "c1"))
        var customer = try #require(try await store.customer(id: id))
        #expect(customer.firstSeen == Self.day(2))
        #expect(customer.lastSeen == Self.day(9))
        #expect(customer.transactionCount == 4)
        // A row already present (same order id, other date) widens nothing.
        outcome = try await store.importTransactions([Self.row("c1", "o1", day: 1)])
        #expect(outcome.alreadyPresent == 1)
        customer = try #require(try await store.customer(id: id))
        #expect(customer.firstSeen == Self.day(2))
    }

    /// A merge between two batches moves an id to another customer: the next batch must follow it,
    /// whether the merge ran on the importing connection or on another one (a running server).
    @Test(arguments: [false, true])
    func aMergeBetweenBatchesSendsLaterRowsToTheWinner(throughAnotherConnection: Bool) async throws {
        let anonymous = Identifier.anonymousIdKind
        let first = try await store.importTransactions([
            Self.row("a1", "o1", day: 1, kind: anonymous), Self.row("a2", "o2", day: 1, kind: anonymous),
        ])
        #expect(first.customersCreated == 2)
        let events = throughAnotherConnection ? try SQLiteStore(path: path) : store
        try await Self.send(
            events,
            #"{"type":"track","anonymousId":"a1","event":"Viewed","messageId":"1","context":{"traits":{"email":"x@y.z"}},"timestamp":"2025-06-01T00:00:00Z"}"#,
            #"{"type":"identify","anonymousId":"a2","messageId":"2","traits":{"email":"x@y.z"},"timestamp":"2025-06-01T00:00:00Z"}"#
        )
        let winner = try #require(try await store.customerId(anyId: "a1"))
        #expect(try await store.customerId(anyId: "a2") == winner, "the events merged a1 and a2")
        let second = try await store.importTransactions([
            Self.row("a1", "o3", day: 2, kind: anonymous), Self.row("a2", "o4", day: 3, kind: anonymous),
        ])
        #expect(second.imported == 2)
        #expect(second.customersCreated == 0)
        let orders = try await store.transactions(customer: winner).map(\.orderId)
        #expect(orders.sorted() == ["o1", "o2", "o3", "o4"])
        #expect(try await store.customer(id: winner)?.lastSeen == Self.day(3), "the winner's seen range was widened")
    }

    /// Makes every insert of order id `boom` fail (a trigger), to fail an import batch midway.
    func makeOrderBoomFail() async throws {
        try await store.writer.write { db in
            try db.execute(
                sql: """
                    CREATE TRIGGER failImport BEFORE INSERT ON customerTransaction WHEN NEW.orderId = 'boom'
                    BEGIN SELECT RAISE(ABORT, 'boom'); END
                    """
            )
        }
    }

    /// A batch that fails rolls back the customers it created; the next batch must create them again
    /// rather than reuse ids that no longer exist.
    @Test func aFailedBatchIsForgotten() async throws {
        _ = try await store.importTransactions([Self.row("c1", "o1", day: 1)])
        try await makeOrderBoomFail()
        await #expect(throws: StoreError.self) {
            try await store.importTransactions([Self.row("c2", "o2", day: 1), Self.row("c2", "boom", day: 2)])
        }
        #expect(try await store.customerId(anyId: "c2") == nil, "the failed batch was rolled back")
        try await store.writer.write { db in try db.execute(sql: "DROP TRIGGER failImport") }
        let retry = try await store.importTransactions([Self.row("c2", "o2", day: 1), Self.row("c1", "o3", day: 2)])
        #expect(retry.customersCreated == 1)
        #expect(retry.imported == 2)
        let c2 = try #require(try await store.customerId(anyId: "c2"))
        #expect(try await store.transactions(customer: c2).map(\.orderId) == ["o2"])
        let orphans = try await store.writer.read { db in
            try Int.fetchOne(
                db,
                sql: "SELECT count(*) FROM customerTransaction WHERE customerId NOT IN (SELECT id FROM customer)"
            )
        }
        #expect(orphans == 0)
    }

    /// An import stopped after some batches (a crash) is completed by running it again from a new
    /// process: the committed batches count as present, nothing is stored twice.
    @Test func rerunningAnInterruptedImportCompletesIt() async throws {
        let rows = (0..<1_000).map { Self.row("c\($0 % 97)", "o\($0)", day: $0 % 30) }
        let batches = stride(from: 0, to: rows.count, by: 100).map { Array(rows[$0..<min($0 + 100, rows.count)]) }
        var created = 0
        for batch in batches.prefix(3) { created += try await store.importTransactions(batch).customersCreated }
        let rerun = try SQLiteStore(path: path)
        var total = ImportOutcome()
        for batch in batches { total.add(try await rerun.importTransactions(batch)) }
        #expect(total.alreadyPresent == 300)
        #expect(total.imported == 700)
        #expect(created + total.customersCreated == 97)
        #expect(try await transactionCount() == 1_000)
        var again = ImportOutcome()
        for batch in batches { again.add(try await rerun.importTransactions(batch)) }
        #expect(again.imported == 0)
        #expect(again.alreadyPresent == 1_000)
        #expect(again.customersCreated == 0)
    }

    /// An order id that came from an Order Completed event is present already: the import neither
    /// duplicates nor changes it.
    @Test func anOrderFromAnEventIsNotImportedAgain() async throws {
        try await Self.send(
            store,
            #"{"type":"track","userId":"u1","messageId":"1","event":"Order Completed","properties":{"order_id":"o1","revenue":42.5,"currency":"usd"}}"#
        )
        let outcome = try await store.importTransactions([Self.row("u2", "o1", day: 1), Self.row("u2", "o2", day: 1)])
        #expect(outcome.imported == 1)
        #expect(outcome.alreadyPresent == 1)
        let u1 = try #require(try await store.customerId(anyId: "u1"))
        let kept = try await store.transactions(customer: u1)
        #expect(kept.map(\.orderId) == ["o1"])
        #expect(kept.first?.revenue == 42.5)
        #expect(kept.first?.source == "web")
        #expect(try await transactionCount() == 2)
    }

    /// With the per-customer index suspended (a large import), order ids stay unique, also for
    /// orders from events; an import that dies before restoring it gets it back at the next open.
    @Test func aSuspendedIndexKeepsOrderIdsUniqueAndComesBackAtTheNextOpen() async throws {
        try await store.suspendTransactionIndex()
        #expect(try await store.hasTransactionIndex() == false)
        _ = try await store.importTransactions([Self.row("u1", "o1", day: 1)])
        try await Self.send(
            store,
            #"{"type":"track","userId":"u2","messageId":"1","event":"Order Completed","properties":{"order_id":"o1","revenue":5}}"#
        )
        let again = try await store.importTransactions([Self.row("u1", "o1", day: 1), Self.row("u1", "o2", day: 2)])
        #expect(again.alreadyPresent == 1)
        #expect(try await transactionCount() == 2)
        // The process dies here; the next one opens the store.
        let reopened = try SQLiteStore(path: path)
        #expect(try await reopened.hasTransactionIndex())
        let plan = try await reopened.writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT * FROM customerTransaction WHERE customerId = 1")
                .map { $0["detail"] as String }.joined()
        }
        #expect(plan.contains("transactionByCustomer"))
        let u1 = try #require(try await reopened.customerId(anyId: "u1"))
        #expect(try await reopened.transactions(customer: u1).map(\.orderId) == ["o1", "o2"])
    }

    func journalLines(_ store: SQLiteStore) async throws -> Int {
        try await store.writer.read { db in try ImportSeenJournal.rangeCount(db) }
    }

    /// A large import journals seen ranges: the customers get them at the fold, the journal is
    /// emptied, and a re-import journals nothing.
    @Test func deferredSeenRangesReachTheCustomersAtTheFold() async throws {
        _ = try await store.importTransactions(
            [Self.row("c1", "o1", day: 5), Self.row("c1", "o2", day: 6)],
            deferringSeenRanges: true
        )
        _ = try await store.importTransactions(
            [Self.row("c1", "o3", day: 2), Self.row("c1", "o4", day: 9)],
            deferringSeenRanges: true
        )
        let id = try #require(try await store.customerId(anyId: "c1"))
        #expect(try await journalLines(store) > 0)
        #expect(try await store.customer(id: id)?.lastSeen != Self.day(9), "not folded yet")
        try await store.foldImportedSeenRanges()
        let customer = try #require(try await store.customer(id: id))
        #expect(customer.firstSeen == Self.day(2))
        #expect(customer.lastSeen == Self.day(9))
        #expect(try await journalLines(store) == 0)
        let again = try SQLiteStore(path: path)
        let outcome = try await again.importTransactions(
            [Self.row("c1", "o1", day: 5), Self.row("c1", "o4", day: 9)],
            deferringSeenRanges: true
        )
        #expect(outcome.alreadyPresent == 2)
        #expect(try await journalLines(again) == 0)
    }

    /// An import that dies before its fold leaves the journal: the next open folds it, with the
    /// same dates as an immediate widening (milliseconds included).
    @Test func aJournalLeftByADeadImportIsFoldedAtTheNextOpen() async throws {
        let precise = Self.day(10).addingTimeInterval(3_723.987_6)
        _ = try await store.importTransactions([Self.row("c1", "o1", day: 5)], deferringSeenRanges: true)
        var late = Self.row("c1", "o2", day: 0)
        late.timestamp = precise
        _ = try await store.importTransactions([late, Self.row("c1", "o3", day: 1)], deferringSeenRanges: true)
        #expect(try await journalLines(store) == 1)
        // The process dies here; the next one opens the store.
        let reopened = try SQLiteStore(path: path)
        #expect(try await journalLines(reopened) == 0)
        let id = try #require(try await reopened.customerId(anyId: "c1"))
        let customer = try #require(try await reopened.customer(id: id))
        #expect(customer.firstSeen == Self.day(1))
        #expect(customer.lastSeen.map(SQLDate.text) == SQLDate.text(precise))
    }

    /// A large import asks how much of its first batch is stored already.
    @Test func storedOrderCountCountsTheStoredOrderIds() async throws {
        _ = try await store.importTransactions([Self.row("c1", "o1", day: 1), Self.row("c2", "o2", day: 2)])
        #expect(try await store.storedOrderCount(["o1", "o2", "o3", "o1"]) == 3)
        #expect(try await store.storedOrderCount([]) == 0)
    }

    /// A store left by an import that died under migration v12 (one journal line per customer and
    /// batch): migration v13 folds those lines before it replaces the table.
    @Test func migrationV13FoldsTheLinesOfTheFormerJournal() throws {
        let oldPath = TemporaryFiles.directory.appendingPathComponent(
            "patron-\(UUID().uuidString).sqlite"
        )
        .path
        let queue = try DatabaseQueue(path: oldPath)
        try SQLiteStore.migrator.migrate(queue, upTo: "v12: import seen-range journal")
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO customer (id, createdAt, firstSeen, lastSeen) VALUES (7, '2026-01-01 00:00:00.000',
                        '2026-01-05 00:00:00.000', '2026-01-06 00:00:00.000');
                    INSERT INTO importSeenJournal (customerId, firstSeen, lastSeen) VALUES
                        (7, \(ImportSeenJournal.milliseconds(Self.day(2))), \(ImportSeenJournal.milliseconds(Self.day(3)))),
                        (7, \(ImportSeenJournal.milliseconds(Self.day(4))), \(ImportSeenJournal.milliseconds(Self.day(40))));
                    """
            )
        }
        try queue.close()
        let migrated = try SQLiteStore(path: oldPath)
        let (first, last, journals) = try migrated.writer.read { db in
            let row = try #require(try Row.fetchOne(db, sql: "SELECT firstSeen, lastSeen FROM customer WHERE id = 7"))
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE name LIKE 'importSeen%'")
            return (row["firstSeen"] as Date?, row["lastSeen"] as Date?, tables)
        }
        #expect(first == Self.day(2))
        #expect(last == Self.day(40))
        #expect(journals == ["importSeenRanges"])
    }

    /// A merge between a journaled batch and the fold: the winner gets the merged customer's range.
    @Test func theFoldWidensTheCustomerAJournaledOneWasMergedInto() async throws {
        let anonymous = Identifier.anonymousIdKind
        _ = try await store.importTransactions(
            [Self.row("a1", "o1", day: 20, kind: anonymous), Self.row("a2", "o2", day: 20, kind: anonymous)]
        )
        _ = try await store.importTransactions(
            [Self.row("a2", "o3", day: 1, kind: anonymous), Self.row("a2", "o4", day: 40, kind: anonymous)],
            deferringSeenRanges: true
        )
        try await Self.send(
            store,
            #"{"type":"identify","anonymousId":"a1","messageId":"1","traits":{"email":"x@y.z"},"timestamp":"2026-01-21T00:00:00Z"}"#,
            #"{"type":"identify","anonymousId":"a2","messageId":"2","traits":{"email":"x@y.z"},"timestamp":"2026-01-21T00:00:00Z"}"#
        )
        let winner = try #require(try await store.customerId(anyId: "a1"))
        #expect(try await store.customerId(anyId: "a2") == winner, "the events merged a1 and a2")
        try await store.foldImportedSeenRanges()
        let customer = try #require(try await store.customer(id: winner))
        #expect(customer.firstSeen == Self.day(1))
        #expect(customer.lastSeen == Self.day(40))
    }

    /// Imports insert without foreign-key checks; the writer has them back afterwards, also after a
    /// batch that failed.
    @Test func foreignKeyChecksAreBackOnAfterAnImport() async throws {
        _ = try await store.importTransactions([Self.row("c1", "o1", day: 1)])
        try await makeOrderBoomFail()
        await #expect(throws: StoreError.self) {
            try await store.importTransactions([Self.row("c1", "boom", day: 2)])
        }
        await #expect(throws: DatabaseError.self) {
            try await store.writer.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO customerTransaction (orderId, customerId, source, timestamp, revenue, currency)
                        VALUES ('dangling', 999999, 'test', '2026-01-01 00:00:00.000', 1, 'EUR')
                        """
                )
            }
        }
    }
}
