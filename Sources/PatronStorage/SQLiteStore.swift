import CSQLiteSettings
import Crypto
public import Foundation
import GRDB
import PatronCore
import Synchronization

/// The embedded store: one SQLite file (GRDB, WAL; a write is on disk when it returns, by
/// `synchronous=FULL`, or for ingest by a sync of the log off the writer's thread), schema by named,
/// append-only migrations.
public final class SQLiteStore: Sendable {
    let writer: DatabasePool
    /// The database file.
    public let path: String
    private let committer: GroupCommitter<IngestBatch, IngestOutcome, Database>
    /// Ingest's group commits not yet synced: the deliverer reads only the deliveries queued before them.
    let unsynced: UnsyncedCommits
    private let submittedToIngest = Atomic<Int>(0)
    /// Write keys already looked up, with their source: every tracking request names one, and keys
    /// are never removed, so a known key needs no database read (an unknown one is looked up each
    /// time, so a key added by another process is found).
    private let knownWriteKeys = Mutex<[String: String]>([:])
    /// The identity lookups of committed processing steps (used on the writer queue only).
    let knownIdentities = Mutex(KnownIdentities())
    /// What committed processing steps know of customers' first touches (used on the writer queue only).
    let firstTouchFloors = Mutex(FirstTouchFloors())
    /// What transaction imports remember between batches (used on the writer queue only).
    let importMemory = Mutex(ImportMemory())
    /// The numbers of the customer ids transaction imports bind (see ``numberCustomers(of:)``).
    let importNumbers = Mutex(ImportCustomerNumbers())

    /// Opens (creating if needed) and migrates the database at `path`.
    /// - Throws: ``StoreError`` with code `.unavailable` when the file cannot be opened or migrated.
    public convenience init(path: String) throws(StoreError) {
        let syncer = WriteAheadLogSyncer(databasePath: path)
        try self.init(path: path, syncLog: syncer.afterSync)
    }

    /// Opens the database at `path`, with `syncLog` making ingest's commits durable: it calls its
    /// argument after a sync of the write-ahead log that started after the call (tests hold it).
    init(
        path: String,
        syncLog: @escaping @Sendable (@escaping @Sendable (Result<Void, StoreError>) -> Void) -> Void
    ) throws(StoreError) {
        _ = Self.processSettings
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA mmap_size = \(Self.memoryMappedBytes)")
            SegmentSQLFunctions.register(in: db)
        }
        configuration.busyMode = .timeout(10)
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB switches a pool's writer to synchronous=NORMAL (no fsync at commit) when it
            // turns WAL on, after `prepareDatabase`: back to FULL before anything is committed.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                try db.execute(sql: "PRAGMA cache_size = -\(Self.writerCacheKiB)")
            }
            try Self.migrator.migrate(pool)
            // An import that died after suspending the per-customer transaction index leaves it
            // missing: build it again (a read finds it present in every other case).
            if try !pool.read({ db in
                try db.indexes(on: "customerTransaction").contains { $0.name == Self.transactionIndex }
            }) {
                try pool.write { db in try Self.createTransactionIndex(db) }
            }
            // Likewise the seen ranges it journaled: the customers are widened with them now.
            if try pool.read({ db in try ImportSeenJournal.isEmpty(db) }) == false {
                try pool.write { db in try ImportSeenJournal.fold(db) }
            }
        } catch {
            throw StoreError(.unavailable, "cannot open the database at \(path): \(error)", underlying: error)
        }
        writer = pool
        self.path = path
        let unsynced = UnsyncedCommits()
        self.unsynced = unsynced
        let changes = ChangeSignal()
        self.changes = changes
        committer = GroupCommitter(
            schedule: { job in pool.asyncWriteWithoutTransaction(job) },
            write: { batches, db in try Self.commit(batches, db: db, unsynced: unsynced) },
            makeDurable: { acknowledge in
                // Processing may start on the group's events while they are synced.
                changes.signal()
                syncLog { synced in
                    // Webhooks held back for the group's sync may go now (after a failed sync, they
                    // wait for one that succeeds).
                    if case .success = synced, unsynced.allSynced() { Self.deliveriesQueued.signal() }
                    acknowledge(synced)
                }
            }
        )
    }

    /// The writer's page cache, in KiB (SQLite's default is 2,000): a processing step touches a few
    /// random pages per event (customer, identity, acquisition, the event index), several thousand
    /// per step; with the default cache SQLite spilled dirty pages to the log mid-transaction and
    /// read pages back from the log.
    static let writerCacheKiB = 65536

    /// How much of the database file each connection reads through a memory map rather than a
    /// read system call per page (SQLite caps it at its build's maximum, 2 GB by default). A
    /// segment backfill over 79,000 customers and 327,000 events spent as much time in the kernel
    /// as in SQLite (0.27 s of 0.55 s); mapped, 0.01 s of 0.33 s (BENCHMARKS.md §5). Writes still go
    /// through the write-ahead log.
    static let memoryMappedBytes = 2_147_418_112

    /// SQLite's settings for the whole process, applied once before the first store opens: no
    /// memory statistics, whose global mutex around every allocation cost the writer 10 % of a
    /// large import (BENCHMARKS.md §3; Patron reads none of them), and log writes gathered per
    /// commit (`patron_sqlite_batch_log_writes`: two system calls per log page before, two thirds
    /// of the process's writes at 8,000 events/s; BENCHMARKS.md §5), and a page cache whose
    /// largest key stays within the database (`patron_sqlite_keep_page_cache_keys_low`: a B-tree
    /// balance's temporary page number made the writer's commits walk its whole cache).
    private static let processSettings: Void = {
        _ = patron_sqlite_disable_memory_statistics()
        _ = patron_sqlite_keep_page_cache_keys_low()
        _ = patron_sqlite_batch_log_writes()
    }()

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: sources, write keys, events, quarantine") { db in
            try db.create(table: "writeKey") { table in
                table.primaryKey("hash", .text)
                table.column("source", .text).notNull()
                table.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "adminToken") { table in
                table.primaryKey("hash", .text)
                table.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "event") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("source", .text).notNull()
                table.column("messageId", .text).notNull()
                table.column("type", .text).notNull()
                table.column("userId", .text)
                table.column("anonymousId", .text)
                table.column("name", .text)
                table.column("timestamp", .datetime).notNull()
                table.column("receivedAt", .datetime).notNull()
                table.column("payload", .text).notNull()
                table.uniqueKey(["source", "messageId"])
                table.check(sql: "userId IS NOT NULL OR anonymousId IS NOT NULL")
            }
            try db.create(table: "quarantine") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("source", .text).notNull()
                table.column("reason", .text).notNull()
                table.column("detail", .text).notNull()
                table.column("messageId", .text)
                table.column("receivedAt", .datetime).notNull()
                table.column("payload", .text).notNull()
                table.column("replayedAt", .datetime)
            }
            try db.create(index: "quarantineByReason", on: "quarantine", columns: ["reason"])
        }
        migrator.registerMigration(
            "v2: customers, identity graph, traits, transactions, acquisition",
            migrate: CustomerSchema.create
        )
        migrator.registerMigration("v4: model versions and customer scores", migrate: InsightsSchema.create)
        migrator.registerMigration("v5: purchase days", migrate: InsightsSchema.addPurchaseDays)
        migrator.registerMigration("v6: value snapshots", migrate: InsightsSchema.createSnapshots)
        migrator.registerMigration("v7: marketing spend", migrate: InsightsSchema.createMarketingSpend)
        migrator.registerMigration("v8: segments", migrate: SegmentSchema.create)
        migrator.registerMigration("v9: webhook destinations, deliveries and consent", migrate: DeliverySchema.create)
        migrator.registerMigration("v10: triggers", migrate: TriggerSchema.create)
        migrator.registerMigration("v11: triggers on matching events", migrate: TriggerSchema.addEventTriggers)
        migrator.registerMigration("v12: import seen-range journal", migrate: ImportSeenJournal.createLines)
        migrator.registerMigration(
            "v13: import seen ranges journaled per batch",
            migrate: ImportSeenJournal.createBatches
        )
        migrator.registerMigration(
            "v14: events indexed by customer once processed",
            migrate: CustomerSchema.indexProcessedEventsOnly
        )
        migrator.registerMigration("v15: segment member counts", migrate: SegmentSchema.addMemberCounts)
        migrator.registerMigration("v16: track events by time", migrate: SegmentSchema.indexEventTimes)
        return migrator
    }

    /// Signalled after each commit of this store object (events ingested, as soon as they are
    /// committed; webhooks queued; any write): the background loops of the server wait on it
    /// between polls.
    public let changes: ChangeSignal

    /// Tracking requests waiting for their commit right now; background work (event processing)
    /// uses it to give way to ingest.
    public var ingestRequestsInFlight: Int { committer.inFlight }

    /// Events handed to ``ingest(_:)`` of this store object since it was opened, counted when each
    /// request is handed over, before its commit (quarantined events not counted): the pace at which
    /// clients send, which background work compares while it runs and while it pauses (a client that
    /// waits for each answer sends more slowly while the writer is busy; a steady stream does not).
    public var eventsSubmittedToIngest: Int { submittedToIngest.load(ordering: .relaxed) }

    /// Stores a batch durably: returns only after the transaction holding it has committed and the
    /// write-ahead log holding it was synced. Concurrent calls share one transaction (group commit),
    /// and the sync is made off the writer's thread, shared by the groups committed meanwhile. Events
    /// whose messageId is already stored for the source are counted as duplicates and not stored
    /// again.
    public func ingest(_ batch: IngestBatch) async throws(StoreError) -> IngestOutcome {
        submittedToIngest.add(batch.accepted.count, ordering: .relaxed)
        do {
            return try await committer.submit(batch)
        } catch {
            throw StoreError(.unavailable, "could not commit the events: \(error)", underlying: error)
        }
    }

    /// Stores `batches` in one transaction committed without fsync: the caller acknowledges them
    /// only once ``WriteAheadLogSyncer`` has synced the log. Before it commits, the transaction notes
    /// itself in `unsynced`, so that no webhook queued after it is sent until then.
    static func commit(_ batches: [IngestBatch], db: Database, unsynced: UnsyncedCommits) throws -> [IngestOutcome] {
        var outcomes: [IngestOutcome] = []
        outcomes.reserveCapacity(batches.count)
        try commitWithoutFsync(db) { db in
            let insertEvent = try eventInsertion(db)
            for batch in batches { outcomes.append(try insert(batch, with: insertEvent, db: db)) }
            // Delivery ids only grow: a webhook queued after this commit gets this id or a larger one.
            let nextDeliveryId = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT coalesce(max(id), 0) + 1 FROM delivery")
            )
            unsynced.committing(nextDeliveryId: outcomes.contains { $0.stored > 0 } ? nextDeliveryId : nil)
            // Forgotten only if the transaction does not commit: a group that committed and failed
            // afterwards (restoring the writer's settings) stays held until a sync succeeds.
            db.afterNextTransaction(onCommit: { _ in }, onRollback: { _ in unsynced.abandonLast() })
        }
        return outcomes
    }

    /// The statement ``insert(_:with:db:)`` stores events with (a messageId already stored for the
    /// source is skipped).
    static func eventInsertion(_ db: Database) throws -> BoundStatement {
        try BoundStatement(
            db,
            sql: """
                INSERT INTO event (source, messageId, type, userId, anonymousId, name, timestamp, receivedAt, payload)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, messageId) DO NOTHING
                """
        )
    }

    /// Stores one batch (inside a transaction), quarantined events included.
    static func insert(_ batch: IngestBatch, with insertEvent: BoundStatement, db: Database) throws -> IngestOutcome {
        var stored = 0
        for event in batch.accepted {
            insertEvent.bind(batch.source, at: 1)
            insertEvent.bind(event.messageId, at: 2)
            insertEvent.bind(event.type.rawValue, at: 3)
            insertEvent.bind(event.userId, at: 4)
            insertEvent.bind(event.anonymousId, at: 5)
            insertEvent.bind(event.name, at: 6)
            insertEvent.bind(event.timestamp, at: 7)
            insertEvent.bind(event.receivedAt, at: 8)
            insertEvent.bind(event.json, at: 9)
            stored += try insertEvent.execute()
        }
        for rejected in batch.rejected {
            try db.executeCached(
                sql: """
                    INSERT INTO quarantine (source, reason, detail, messageId, receivedAt, payload)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    batch.source, rejected.reason.rawValue, rejected.detail, rejected.messageId,
                    SQLDate(rejected.receivedAt),
                    rejected.payload.jsonText,
                ]
            )
        }
        return IngestOutcome(
            stored: stored,
            duplicates: batch.accepted.count - stored,
            quarantined: batch.rejected.count
        )
    }

    /// Runs a read, wrapping database errors in ``StoreError`` that names `what` failed.
    func read<T: Sendable>(
        _ what: String,
        _ body: @Sendable @escaping (Database) throws -> T
    ) async throws(StoreError) -> T {
        do {
            return try await writer.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unavailable, "could not \(what): \(error)", underlying: error)
        }
    }

    /// Runs `body` in a transaction that commits without fsync, for derived data (customers built
    /// from events, scores) that is rebuilt from the event log after a crash: synchronous=NORMAL
    /// still writes the WAL, and the next sync of the log (an ingest group's, a checkpoint's) makes
    /// it durable. The writer is restored to synchronous=FULL (and checked) afterwards, so that its
    /// other writes are durable when they return.
    static func commitWithoutFsync<T>(_ db: Database, _ body: (Database) throws -> T) throws -> T {
        try commit(db, fsync: false, foreignKeyChecks: true, body)
    }

    /// Runs `body` in a transaction on the writer's connection, optionally committing without fsync
    /// (see ``commitWithoutFsync(_:_:)``) and with SQLite's foreign-key checks (a parent lookup per
    /// inserted row) off, for bulk writes whose references are known to exist. Whatever happens,
    /// the connection is back at synchronous=FULL with foreign-key checks on, both verified, before
    /// it serves anything else.
    static func commit<T>(
        _ db: Database,
        fsync: Bool,
        foreignKeyChecks: Bool,
        _ body: (Database) throws -> T
    ) throws -> T {
        if !fsync { try db.executeCached(sql: "PRAGMA synchronous = NORMAL") }
        if !foreignKeyChecks { try db.executeCached(sql: "PRAGMA foreign_keys = OFF") }
        var value: T?
        let result = Result {
            try db.inTransaction {
                value = try body(db)
                return .commit
            }
        }
        if !fsync {
            try db.executeCached(sql: "PRAGMA synchronous = FULL")
            guard try Int.fetchOne(db.cachedStatement(sql: "PRAGMA synchronous")) == 2 else {
                throw StoreError(.unavailable, "could not restore synchronous=FULL on the writer")
            }
        }
        if !foreignKeyChecks {
            try db.executeCached(sql: "PRAGMA foreign_keys = ON")
            guard try Bool.fetchOne(db.cachedStatement(sql: "PRAGMA foreign_keys")) == true else {
                throw StoreError(.unavailable, "could not turn foreign-key checks back on")
            }
        }
        try result.get()
        return value!
    }

    /// Runs a write transaction, wrapping database errors in ``StoreError`` that names `what` failed.
    func write<T: Sendable>(
        _ what: String,
        _ body: @Sendable @escaping (Database) throws -> T
    ) async throws(StoreError) -> T {
        do {
            let value = try await writer.write(body)
            changes.signal()
            return value
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unavailable, "could not \(what): \(error)", underlying: error)
        }
    }

    /// Like ``write(_:_:)`` for derived data: the transaction commits without fsync.
    /// - Parameter foreignKeyChecks: `false` for bulk writes whose references are known to exist
    ///   (SQLite's per-row parent lookups are off during the transaction, back on and checked after).
    func writeWithoutFsync<T: Sendable>(
        _ what: String,
        foreignKeyChecks: Bool = true,
        _ body: @Sendable @escaping (Database) throws -> T
    ) async throws(StoreError) -> T {
        try await write(what, fsync: false, foreignKeyChecks: foreignKeyChecks, body)
    }

    /// Like ``write(_:_:)`` for bulk inserts whose references are known to exist (a transaction
    /// import binds only customer ids it found or created in the same transaction): SQLite's
    /// foreign-key checks, a parent lookup per inserted row, are off during the transaction and
    /// back on (and checked) before the writer serves anything else.
    func writeWithoutForeignKeyChecks<T: Sendable>(
        _ what: String,
        _ body: @Sendable @escaping (Database) throws -> T
    ) async throws(StoreError) -> T {
        try await write(what, fsync: true, foreignKeyChecks: false, body)
    }

    private func write<T: Sendable>(
        _ what: String,
        fsync: Bool,
        foreignKeyChecks: Bool,
        _ body: @Sendable @escaping (Database) throws -> T
    ) async throws(StoreError) -> T {
        do {
            let value = try await writer.writeWithoutTransaction { db in
                try Self.commit(db, fsync: fsync, foreignKeyChecks: foreignKeyChecks, body)
            }
            changes.signal()
            return value
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unavailable, "could not \(what): \(error)", underlying: error)
        }
    }

    /// The hex SHA-256 of a secret; only hashes of keys and tokens are stored.
    static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Registers `key` as a write key of `source`.
    /// - Throws: `.conflict` if the key is already registered.
    public func addWriteKey(_ key: String, source: String) async throws(StoreError) {
        try await write("store the write key") { db in
            if try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT 1 FROM writeKey WHERE hash = ?"),
                arguments: [Self.hash(key)]
            )
                == true
            {
                throw StoreError(.conflict, "this write key is already registered")
            }
            try db.executeCached(
                sql: "INSERT INTO writeKey (hash, source, createdAt) VALUES (?, ?, ?)",
                arguments: [Self.hash(key), source, SQLDate.now]
            )
        }
    }

    /// The source a write key belongs to, or `nil` for an unknown key.
    public func source(forWriteKey key: String) async throws(StoreError) -> String? {
        if let known = knownWriteKeys.withLock({ $0[key] }) { return known }
        let source = try await read("read write keys") { db in
            try String.fetchOne(
                db.cachedStatement(sql: "SELECT source FROM writeKey WHERE hash = ?"),
                arguments: [Self.hash(key)]
            )
        }
        if let source { knownWriteKeys.withLock { $0[key] = source } }
        return source
    }

    /// The number of stored events (of one source, or all).
    public func eventCount(source: String? = nil) async throws(StoreError) -> Int {
        try await read("count events") { db in
            if let source {
                return try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT count(*) FROM event WHERE source = ?"),
                    arguments: [source]
                )
                    ?? 0
            }
            return try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM event")) ?? 0
        }
    }

    /// The stored messageIds of a source (for tests and audits).
    public func messageIds(source: String) async throws(StoreError) -> [String] {
        try await read("read events") { db in
            try String.fetchAll(
                db.cachedStatement(sql: "SELECT messageId FROM event WHERE source = ? ORDER BY id"),
                arguments: [source]
            )
        }
    }

    /// Quarantined events, newest first.
    /// - Parameters:
    ///   - limit: most rows returned.
    ///   - reason: only this ``QuarantineReason`` raw value.
    ///   - includeReplayed: also rows already replayed.
    public func quarantined(
        limit: Int = 100,
        reason: String? = nil,
        includeReplayed: Bool = false
    ) async throws(StoreError)
        -> [QuarantinedRecord]
    {
        try await read("read the quarantine") { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT id, source, reason, detail, messageId, receivedAt, payload FROM quarantine
                        WHERE (? OR replayedAt IS NULL) AND (? IS NULL OR reason = ?) ORDER BY id DESC LIMIT ?
                        """
                ),
                arguments: [includeReplayed, reason, reason, limit]
            )
            .map { row in
                QuarantinedRecord(
                    id: row["id"],
                    source: row["source"],
                    reason: row["reason"],
                    detail: row["detail"],
                    messageId: row["messageId"],
                    receivedAt: row["receivedAt"],
                    payload: row["payload"]
                )
            }
        }
    }
}

/// One quarantined event as stored.
public struct QuarantinedRecord: Sendable, Hashable, Codable {
    /// Row id.
    public var id: Int64
    /// The source.
    public var source: String
    /// The ``QuarantineReason`` raw value.
    public var reason: String
    /// Details.
    public var detail: String
    /// The messageId, if one could be read.
    public var messageId: String?
    /// When it was received.
    public var receivedAt: Date
    /// The raw event JSON.
    public var payload: String
}
