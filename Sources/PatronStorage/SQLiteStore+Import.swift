public import Foundation
import GRDB
public import PatronCore
import Synchronization

/// One transaction row of a CSV import.
public struct ImportedTransaction: Sendable, Hashable {
    /// The customer's id (created when unknown).
    public var customer: Identifier
    /// The dedup key: the file's order id, or a key derived from the row's content.
    public var orderId: String
    /// When.
    public var timestamp: Date
    /// Revenue.
    public var amount: Double
    /// ISO 4217 code.
    public var currency: String

    /// Creates a row.
    public init(customer: Identifier, orderId: String, timestamp: Date, amount: Double, currency: String) {
        self.customer = customer
        self.orderId = orderId
        self.timestamp = timestamp
        self.amount = amount
        self.currency = currency
    }
}

/// One customer row of a CRM import.
public struct ImportedCustomer: Sendable, Hashable {
    /// The customer's ids; the first one finds the customer, the others are linked to it.
    public var identifiers: [Identifier]
    /// Traits to set.
    public var traits: [String: JSONValue]
    /// Where the CRM says the customer came from, if it says.
    public var acquisition: ImportedAcquisition?
    /// Consent per purpose as the CRM records it.
    public var consents: [String: Bool]

    /// Creates a row.
    public init(
        identifiers: [Identifier],
        traits: [String: JSONValue],
        acquisition: ImportedAcquisition? = nil,
        consents: [String: Bool] = [:]
    ) {
        self.identifiers = identifiers
        self.traits = traits
        self.acquisition = acquisition
        self.consents = consents
    }
}

/// A customer's acquisition as a CRM records it: the channel (named as acquisition channels are,
/// lower-cased), optionally when and through which campaign.
public struct ImportedAcquisition: Sendable, Hashable {
    /// The channel (`paid search`, `email`, …).
    public var channel: String
    /// When the customer was acquired; `nil`: at the first stored transaction, else at the import.
    public var acquiredAt: Date?
    /// The campaign, if known.
    public var campaign: String?

    /// Creates an acquisition.
    public init(channel: String, acquiredAt: Date? = nil, campaign: String? = nil) {
        self.channel = channel
        self.acquiredAt = acquiredAt
        self.campaign = campaign
    }
}

/// What an import step wrote.
public struct ImportOutcome: Sendable, Hashable, Codable {
    /// Rows that added something (a transaction; a customer's new ids or changed traits).
    public var imported = 0
    /// Rows already present (re-imports add nothing).
    public var alreadyPresent = 0
    /// Customers created.
    public var customersCreated = 0
    /// Ids not linked because they belong to another customer (never merged by an import), or
    /// user ids not linked because the customer holds another one (audited as conflicts).
    public var conflicts = 0
    /// Placeholder ids ignored (``IdentityRules/isBlocked(_:)``: never linked, never used to find a
    /// customer); a customer row with no other id is left out.
    public var placeholders = 0

    /// Creates an empty outcome.
    public init() {}

    /// Adds another step's counts.
    public mutating func add(_ other: ImportOutcome) {
        imported += other.imported
        alreadyPresent += other.alreadyPresent
        customersCreated += other.customersCreated
        conflicts += other.conflicts
        placeholders += other.placeholders
    }
}

extension SQLiteStore {
    /// Imports transactions in one transaction; a row whose order id is stored already is counted
    /// as present and changes nothing, so re-importing a file is idempotent.
    ///
    /// Customers are found by id (created when unknown); each customer's `firstSeen`/`lastSeen` is
    /// widened to the dates of its imported rows. Consecutive calls remember the customers they
    /// resolved (see ``ImportMemory``), so a large file split into batches looks each one up once.
    ///
    /// - Parameter deferringSeenRanges: `true` for the batches of a large import: the widened
    ///   ranges are journaled (see ``ImportSeenJournal``) and reach the customers at
    ///   ``foldImportedSeenRanges()`` (or, if the import dies first, at the next open of the store)
    ///   instead of rewriting customer rows at every batch.
    public func importTransactions(
        _ rows: [ImportedTransaction],
        source: String = "import",
        deferringSeenRanges: Bool = false
    ) async throws(StoreError)
        -> ImportOutcome
    {
        try await importTransactions(
            ImportedTransactionBatch(rows),
            source: source,
            deferringSeenRanges: deferringSeenRanges
        )
    }

    /// Imports the rows of a batch as the overload taking an array of rows does; a large import
    /// builds the next ``ImportedTransactionBatch`` while this one is written, and numbers its
    /// customers there too (``numberCustomers(of:)``); a batch not numbered yet is numbered here.
    public func importTransactions(
        _ batch: ImportedTransactionBatch,
        source: String = "import",
        deferringSeenRanges: Bool = false
    ) async throws(StoreError)
        -> ImportOutcome
    {
        let numbering = batch.numbering ?? customerNumbers(batch.customers)
        let (outcome, generation) = try await writeWithoutForeignKeyChecks("import transactions") { db in
            try self.importMemory.withLock { memory in
                let generation = try memory.begin(db, session: numbering.session)
                let outcome = try Self.importTransactions(
                    batch,
                    numbers: numbering.numbers,
                    source: source,
                    memory: &memory,
                    db: db
                )
                if !deferringSeenRanges {
                    try ImportSeenJournal.fold(db)
                    try Self.restoreWriterCache(db)
                }
                try memory.end(db)
                return (outcome, generation)
            }
        }
        importMemory.withLock { $0.committed(generation) }
        return outcome
    }

    /// Gives the batch's customer ids the numbers by which the writer finds what it remembers about
    /// them. Call it on the thread that builds the batches, before handing one to
    /// ``importTransactions(_:source:deferringSeenRanges:)``, so that the writer does not.
    public func numberCustomers(of batch: inout ImportedTransactionBatch) {
        batch.numbering = customerNumbers(batch.customers)
    }

    private func customerNumbers(_ customers: [Identifier]) -> (session: Int, numbers: [Int]) {
        importNumbers.withLock { $0.number(customers) }
    }

    /// Widens the seen ranges of the customers that imports with `deferringSeenRanges` journaled,
    /// and gives the writer its usual page cache back: the end of a large import.
    public func foldImportedSeenRanges() async throws(StoreError) {
        try await write("widen the seen ranges of imported customers") { db in
            try ImportSeenJournal.fold(db)
            try Self.restoreWriterCache(db)
        }
    }

    /// The writer's page cache during an import batch, in KiB: it keeps the index pages a big batch
    /// touches in memory until the commit.
    static let importCacheKiB = 262_144

    /// Gives the writer back its usual page cache (``writerCacheKiB``) after import batches enlarged
    /// it. Inside a transaction, the pages it dirtied stay in memory until the commit, which frees
    /// the excess.
    static func restoreWriterCache(_ db: Database) throws {
        try db.execute(sql: "PRAGMA cache_size = -\(writerCacheKiB)")
    }

    /// Drops the per-customer transaction index (`transactionByCustomer`) before a large import:
    /// maintaining it row by row costs more than building it once at the end with
    /// ``restoreTransactionIndex()`` (BENCHMARKS.md §3). Order ids stay unique throughout (their
    /// index is the primary key). Until the index is back, reads by customer scan the table; if the
    /// import dies first, the next ``SQLiteStore/init(path:)`` builds it again.
    public func suspendTransactionIndex() async throws(StoreError) {
        try await write("suspend the transaction index") { db in
            try db.execute(sql: "DROP INDEX IF EXISTS \(Self.transactionIndex)")
        }
    }

    /// Builds the per-customer transaction index again (nothing to do when it exists).
    public func restoreTransactionIndex() async throws(StoreError) {
        try await write("build the transaction index") { db in try Self.createTransactionIndex(db) }
    }

    /// Whether the per-customer transaction index exists.
    public func hasTransactionIndex() async throws(StoreError) -> Bool {
        try await read("read the schema") { db in
            try db.indexes(on: "customerTransaction").contains { $0.name == Self.transactionIndex }
        }
    }

    /// How many of `orderIds` are stored already (a large import asks for its first batch: a file
    /// imported before adds nothing, so dropping and rebuilding the per-customer index would not pay).
    public func storedOrderCount(_ orderIds: [String]) async throws(StoreError) -> Int {
        try await read("count stored orders") { db in
            let lookup = try BoundStatement(db, sql: "SELECT 1 FROM customerTransaction WHERE orderId = ?1")
            var stored = 0
            for orderId in orderIds {
                lookup.bind(orderId, at: 1)
                if try lookup.step() { stored += 1 }
                lookup.reset()
            }
            return stored
        }
    }

    /// The highest transaction row id: a cheap upper bound of the number of stored transactions.
    public func transactionRowEstimate() async throws(StoreError) -> Int {
        try await read("count transactions") { db in
            try Int.fetchOne(db, sql: "SELECT max(rowid) FROM customerTransaction") ?? 0
        }
    }

    static let transactionIndex = "transactionByCustomer"

    /// Creates `transactionByCustomer` as migration v5 defines it, unless it exists: by customer and
    /// purchase day, covering the amounts that purchase summaries read.
    ///
    /// The build sorts on two threads with a small page cache: SQLite's sorter keeps runs of the
    /// page cache's size in memory, and with the 256 MiB cache of an import batch the build of
    /// 10 M rows took 14–19 s instead of 8 s (BENCHMARKS.md §3). The connection's cache size is
    /// restored afterwards.
    static func createTransactionIndex(_ db: Database) throws {
        let cacheSize = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
        try db.execute(sql: "PRAGMA threads = 2")
        try db.execute(sql: "PRAGMA cache_size = -16384")
        defer { try? db.execute(sql: "PRAGMA cache_size = \(cacheSize)") }
        try db.create(
            index: transactionIndex,
            on: "customerTransaction",
            columns: ["customerId", "purchaseDay", "revenue", "refundedAmount"],
            ifNotExists: true
        )
    }

    static func importTransactions(
        _ batch: ImportedTransactionBatch,
        numbers: [Int],
        source: String,
        memory: inout ImportMemory,
        db: Database
    ) throws -> ImportOutcome {
        try db.execute(sql: "PRAGMA cache_size = -\(importCacheKiB)")
        var outcome = ImportOutcome()
        let ids = batch.customers
        let rows = batch.rows
        // Customers: remembered ones first; the others looked up, or created, in id order.
        var known = [ImportMemory.Known](repeating: ImportMemory.Known(customer: 0), count: ids.count)
        var unresolved: [Int] = []
        for slot in ids.indices {
            if let remembered = memory.recall(numbers[slot]) {
                known[slot] = remembered
            } else {
                unresolved.append(slot)
            }
        }
        if !unresolved.isEmpty {
            unresolved.sort { (ids[$0].value, ids[$0].kind) < (ids[$1].value, ids[$1].kind) }
            outcome.customersCreated = try resolve(unresolved, of: batch, into: &known, db: db)
            for slot in unresolved { memory.remember(numbers[slot], known[slot]) }
        }
        // With the per-customer index in place, the rows in (customer, date) order: the index pages
        // a batch touches are then visited in order instead of at random. Without it (a large
        // import), the table and the order-id index are written in the same places in any order.
        var order = Array(rows.indices)
        if try db.indexes(on: "customerTransaction").contains(where: { $0.name == Self.transactionIndex }) {
            order.sort { left, right in
                let a = known[rows[left].slot].customer
                let b = known[rows[right].slot].customer
                if a != b { return a < b }
                if rows[left].timestamp != rows[right].timestamp { return rows[left].timestamp < rows[right].timestamp }
                return left < right
            }
        }
        let insert = try BoundStatement(
            db,
            sql: """
                INSERT INTO customerTransaction (orderId, customerId, source, timestamp, revenue, currency)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (orderId) DO NOTHING
                """
        )
        var importedFirst = [Date](repeating: ImportMemory.nothing.first, count: ids.count)
        var importedLast = [Date](repeating: ImportMemory.nothing.last, count: ids.count)
        for index in order {
            let row = rows[index]
            insert.bind(row.orderId, at: 1)
            insert.bind(known[row.slot].customer, at: 2)
            insert.bind(source, at: 3)
            insert.bind(row.storedTimestamp, at: 4)
            insert.bind(row.amount, at: 5)
            insert.bind(row.currency, at: 6)
            if try insert.execute() == 0 {
                outcome.alreadyPresent += 1
            } else {
                outcome.imported += 1
                importedFirst[row.slot] = min(importedFirst[row.slot], row.timestamp)
                importedLast[row.slot] = max(importedLast[row.slot], row.timestamp)
            }
        }
        // Seen ranges: journaled for the customers whose imported rows lie outside what is known to
        // be stored or journaled, and remembered as known.
        var widened = ImportSeenJournal.Batch()
        for slot in ids.indices where importedFirst[slot] < known[slot].first || importedLast[slot] > known[slot].last {
            widened.add(customer: known[slot].customer, first: importedFirst[slot], last: importedLast[slot])
            known[slot].first = min(known[slot].first, importedFirst[slot])
            known[slot].last = max(known[slot].last, importedLast[slot])
            memory.remember(numbers[slot], known[slot])
        }
        try ImportSeenJournal.append(widened, db: db)
        return outcome
    }

    /// Finds the customers of `slots` (the batch's ids not remembered) by id, creating those that
    /// are unknown, in the order of `slots`; returns the number created.
    private static func resolve(
        _ slots: [Int],
        of batch: ImportedTransactionBatch,
        into known: inout [ImportMemory.Known],
        db: Database
    ) throws -> Int {
        let now = SQLDate.text(Date())
        let lookup = try BoundStatement(db, sql: "SELECT customerId FROM identity WHERE kind = ?1 AND value = ?2")
        let createCustomer = try BoundStatement(
            db,
            sql: "INSERT INTO customer (createdAt, firstSeen, lastSeen, eventCount) VALUES (?1, ?2, ?3, 0)"
        )
        let createIdentity = try BoundStatement(
            db,
            sql: "INSERT INTO identity (kind, value, customerId, createdAt) VALUES (?1, ?2, ?3, ?4)"
        )
        var created = 0
        for slot in slots {
            let id = batch.customers[slot]
            lookup.bind(id.kind, at: 1)
            lookup.bind(id.value, at: 2)
            if try lookup.step() {
                // Stored already: its seen range is unknown here, so the first imported row widens it.
                known[slot] = ImportMemory.Known(customer: lookup.int64(at: 0))
                lookup.reset()
                continue
            }
            lookup.reset()
            // Seen from its batch's first row to its last: no journal line needed for this batch.
            let (earliest, latest) = (batch.earliest[slot], batch.latest[slot])
            createCustomer.bind(now, at: 1)
            createCustomer.bind(earliest, at: 2)
            createCustomer.bind(latest, at: 3)
            try createCustomer.execute()
            let customer = db.lastInsertedRowID
            createIdentity.bind(id.kind, at: 1)
            createIdentity.bind(id.value, at: 2)
            createIdentity.bind(customer, at: 3)
            createIdentity.bind(now, at: 4)
            try createIdentity.execute()
            created += 1
            known[slot] = ImportMemory.Known(customer: customer, first: earliest, last: latest)
        }
        return created
    }

    /// Imports CRM customers in one transaction: finds each by its first id (creating it when
    /// unknown), links its other ids when they are free, sets its traits at `asOf` (a newer trait
    /// from an event is kept) and its acquisition when given (an earlier touch is kept). Idempotent.
    ///
    /// The identity graph's safeguards hold as for events: placeholder values are ignored, and a
    /// customer never gets a second user id (the id is left unlinked and a `conflict` is audited).
    public func importCustomers(_ rows: [ImportedCustomer], asOf: Date) async throws(StoreError) -> ImportOutcome {
        try await write("import customers") { db in
            var outcome = ImportOutcome()
            let graph = try IdentityGraph(db: db, rules: IdentityRules())
            for row in rows {
                let identifiers = row.identifiers.filter { !IdentityRules.isBlocked($0.value) }
                outcome.placeholders += row.identifiers.count - identifiers.count
                guard let first = identifiers.first else { continue }
                let (customer, created) = try Self.findOrCreate(first, at: asOf, db: db)
                var changed = created
                if created { outcome.customersCreated += 1 }
                for id in identifiers.dropFirst() {
                    let owner = try Int64.fetchOne(
                        db.cachedStatement(sql: "SELECT customerId FROM identity WHERE kind = ? AND value = ?"),
                        arguments: [id.kind, id.value]
                    )
                    if owner == nil {
                        if id.kind == Identifier.userIdKind {
                            if let held = try graph.userId(of: customer), held != id.value {
                                outcome.conflicts += 1
                                try graph.audit(
                                    .conflict,
                                    eventId: nil,
                                    customerId: customer,
                                    ids: [id],
                                    reason: "not linked by a customer import: customer \(customer) has user id \(held)"
                                )
                                continue
                            }
                            graph.cache.userIds[customer] = .some(id.value)
                        }
                        try db.executeCached(
                            sql: "INSERT INTO identity (kind, value, customerId, createdAt) VALUES (?, ?, ?, ?)",
                            arguments: [id.kind, id.value, customer, SQLDate.now]
                        )
                        changed = true
                    } else if owner != customer {
                        outcome.conflicts += 1
                    }
                }
                for (key, value) in row.traits {
                    try db.executeCached(
                        sql: """
                            INSERT INTO trait (customerId, key, value, timestamp) VALUES (?, ?, ?, ?)
                            ON CONFLICT (customerId, key) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp
                            WHERE excluded.timestamp >= trait.timestamp AND excluded.value != trait.value
                            """,
                        arguments: [customer, key, value.jsonText, SQLDate(asOf)]
                    )
                    if db.changesCount > 0 { changed = true }
                }
                if let acquisition = row.acquisition {
                    // A marketing touch like a campaign visit: an earlier touch from events is kept.
                    try db.executeCached(
                        sql: """
                            INSERT INTO acquisition (\(CustomerRecorder.acquisitionColumns))
                            VALUES (?, 'import', NULL, NULL, ?, NULL, ?, 1,
                                coalesce(?, (SELECT min(timestamp) FROM customerTransaction WHERE customerId = ?), ?), NULL)
                            \(CustomerRecorder.keepFirstTouch)
                            """,
                        arguments: [
                            customer, acquisition.campaign, acquisition.channel,
                            acquisition.acquiredAt.map(SQLDate.init),
                            customer, SQLDate(asOf),
                        ]
                    )
                    if db.changesCount > 0 { changed = true }
                }
                for (purpose, granted) in row.consents.sorted(by: { $0.key < $1.key }) {
                    try db.executeCached(
                        sql: """
                            INSERT INTO consent (customerId, purpose, granted, source, updatedAt) VALUES (?, ?, ?, 'import', ?)
                            ON CONFLICT (customerId, purpose) DO UPDATE SET granted = excluded.granted,
                                source = excluded.source, updatedAt = excluded.updatedAt
                            WHERE excluded.updatedAt >= consent.updatedAt AND excluded.granted != consent.granted
                            """,
                        arguments: [customer, purpose.lowercased(), granted, SQLDate(asOf)]
                    )
                    if db.changesCount > 0 { changed = true }
                }
                if changed { outcome.imported += 1 } else { outcome.alreadyPresent += 1 }
            }
            return outcome
        }
    }

    static func findOrCreate(_ id: Identifier, at timestamp: Date, db: Database) throws -> (Int64, created: Bool) {
        if let existing = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT customerId FROM identity WHERE kind = ? AND value = ?"),
            arguments: [id.kind, id.value]
        ) {
            return (existing, false)
        }
        try db.cachedStatement(
            sql: "INSERT INTO customer (createdAt, firstSeen, lastSeen, eventCount) VALUES (?, ?, ?, 0)"
        )
        .execute(arguments: [SQLDate.now, SQLDate(timestamp), SQLDate(timestamp)])
        let customer = db.lastInsertedRowID
        try db.cachedStatement(sql: "INSERT INTO identity (kind, value, customerId, createdAt) VALUES (?, ?, ?, ?)")
            .execute(arguments: [id.kind, id.value, customer, SQLDate.now])
        return (customer, true)
    }
}
