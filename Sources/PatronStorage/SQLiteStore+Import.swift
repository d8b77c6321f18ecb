public import Foundation
import GRDB
public import PatronCore

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

    /// Creates a row.
    public init(identifiers: [Identifier], traits: [String: JSONValue]) {
        self.identifiers = identifiers
        self.traits = traits
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
    /// Ids not linked because they belong to another customer (never merged by an import).
    public var conflicts = 0

    /// Creates an empty outcome.
    public init() {}

    /// Adds another step's counts.
    public mutating func add(_ other: ImportOutcome) {
        imported += other.imported
        alreadyPresent += other.alreadyPresent
        customersCreated += other.customersCreated
        conflicts += other.conflicts
    }
}

extension SQLiteStore {
    /// Imports transactions in one transaction; a row whose order id is stored already is counted
    /// as present and changes nothing, so re-importing a file is idempotent.
    public func importTransactions(
        _ rows: [ImportedTransaction],
        source: String = "import"
    ) async throws(StoreError)
        -> ImportOutcome
    {
        try await write("import transactions") { db in
            // A large page cache keeps the random index updates of a big import in memory.
            try db.execute(sql: "PRAGMA cache_size = -262144")
            var outcome = ImportOutcome()
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO customerTransaction (orderId, customerId, source, timestamp, revenue, currency)
                    VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (orderId) DO NOTHING
                    """
            )
            let seen = try db.cachedStatement(
                sql: """
                    UPDATE customer
                    SET firstSeen = min(coalesce(firstSeen, :first), :first), lastSeen = max(coalesce(lastSeen, :last), :last)
                    WHERE id = :customer
                    """
            )
            // Customers first, in id order, then the rows sorted by customer: the index pages
            // each batch touches are then visited in order instead of at random.
            var earliest: [Identifier: Date] = [:]
            for row in rows { earliest[row.customer] = min(earliest[row.customer] ?? row.timestamp, row.timestamp) }
            var customers: [Identifier: Int64] = [:]
            for (identifier, firstSeen) in earliest.sorted(by: { $0.key.value < $1.key.value }) {
                let (id, created) = try Self.findOrCreate(identifier, at: firstSeen, db: db)
                if created { outcome.customersCreated += 1 }
                customers[identifier] = id
            }
            let ordered = rows.map { (customer: customers[$0.customer]!, row: $0) }
                .sorted { ($0.customer, $0.row.timestamp) < ($1.customer, $1.row.timestamp) }
            var seenRange: [Int64: (first: Date, last: Date)] = [:]
            for (customer, row) in ordered {
                try insert.execute(arguments: [
                    row.orderId, customer, source, SQLDate(row.timestamp), row.amount, row.currency,
                ])
                if db.changesCount == 0 {
                    outcome.alreadyPresent += 1
                } else {
                    outcome.imported += 1
                    let range = seenRange[customer] ?? (row.timestamp, row.timestamp)
                    seenRange[customer] = (min(range.first, row.timestamp), max(range.last, row.timestamp))
                }
            }
            for (customer, range) in seenRange.sorted(by: { $0.key < $1.key }) {
                try seen.execute(arguments: [
                    "first": SQLDate(range.first), "last": SQLDate(range.last), "customer": customer,
                ])
            }
            return outcome
        }
    }

    /// Imports CRM customers in one transaction: finds each by its first id (creating it when
    /// unknown), links its other ids when they are free, and sets its traits at `asOf` (a newer
    /// trait from an event is kept). Idempotent.
    public func importCustomers(_ rows: [ImportedCustomer], asOf: Date) async throws(StoreError) -> ImportOutcome {
        try await write("import customers") { db in
            var outcome = ImportOutcome()
            for row in rows {
                guard let first = row.identifiers.first else { continue }
                let (customer, created) = try Self.findOrCreate(first, at: asOf, db: db)
                var changed = created
                if created { outcome.customersCreated += 1 }
                for id in row.identifiers.dropFirst() {
                    let owner = try Int64.fetchOne(
                        db.cachedStatement(sql: "SELECT customerId FROM identity WHERE kind = ? AND value = ?"),
                        arguments: [id.kind, id.value]
                    )
                    if owner == nil {
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
