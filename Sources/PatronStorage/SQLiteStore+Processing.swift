public import Foundation
package import GRDB
public import PatronCore
import Synchronization

extension SQLiteStore {
    /// Turns stored events into customers, in order, from the durable cursor `customers`: identity
    /// graph, profile counts and traits, transactions and acquisition. Each call processes at most
    /// `limit` events in one transaction, so the cursor and the data it produced commit together.
    /// - Returns: what was processed (0 events when nothing is pending).
    @discardableResult
    public func processPending(
        limit: Int = 500,
        rules: IdentityRules = IdentityRules()
    ) async throws(StoreError)
        -> ProcessingOutcome
    {
        try await process(try await pendingEvents(limit: limit, rules: rules), rules: rules)
    }

    /// Reads and prepares, on a reader connection (off the single writer that ingest needs), at most
    /// `limit` pending events: those after the processing cursor, or after event `after` when given
    /// (the last event of a step still being processed, so that the next step's events are read
    /// meanwhile). Events are read as soon as they are committed, while their ingest group's sync
    /// runs: no webhook queued from them is sent before that sync (``UnsyncedCommits``).
    public func pendingEvents(
        after: Int64? = nil,
        limit: Int,
        rules: IdentityRules = IdentityRules()
    ) async throws(StoreError) -> PendingEvents {
        do {
            let (cursor, stored) = try await writer.read { db -> (Int64, [StoredEvent]) in
                let cursor = try after ?? Self.processingCursor(db)
                // Each row decoded where SQLite holds it (no copy of every row first).
                let rows = try Row.fetchCursor(
                    db.cachedStatement(
                        sql: "SELECT \(StoredEvent.columns) FROM event WHERE id > ? ORDER BY id LIMIT ?"
                    ),
                    arguments: [cursor, limit]
                )
                var stored: [StoredEvent] = []
                stored.reserveCapacity(min(limit, 1_000))
                while let row = try rows.next() { stored.append(try StoredEvent(row: row)) }
                return (cursor, stored)
            }
            return PendingEvents(after: cursor, events: stored.map { PreparedEvent($0, rules: rules) }, limit: limit)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unavailable, "could not read events to process: \(error)", underlying: error)
        }
    }

    /// Processes `pending` in one transaction on the writer, unless the cursor is no longer where
    /// they were read from (another step or process moved it, or the step they follow failed): then
    /// nothing is written and the outcome has 0 events.
    public func process(
        _ pending: PendingEvents,
        rules: IdentityRules = IdentityRules()
    ) async throws(StoreError)
        -> ProcessingOutcome
    {
        try await process(pending, rules: rules, followedBy: nil as StepFollowUp<Void>?).outcome
    }

    /// Work done in a processing step's own transaction once its events are recorded, seeing what
    /// they wrote: the real-time segment engine, so that a step's memberships and queued webhooks
    /// commit with the customer data that moved them.
    package typealias StepFollowUp<T> = @Sendable (Database, ProcessingOutcome) throws -> T

    /// ``process(_:rules:)`` followed, in the same transaction, by `followUp` (when the step recorded
    /// events). The follow-up runs in a savepoint: when it fails, what it wrote is rolled back, its
    /// error is returned, and the step's customer data still commits.
    /// - Returns: the step's outcome, and the follow-up's result (`nil` when it did not run).
    package func process<T: Sendable>(
        _ pending: PendingEvents,
        rules: IdentityRules,
        followedBy followUp: StepFollowUp<T>?
    ) async throws(StoreError) -> (outcome: ProcessingOutcome, followUp: Result<T, any Error>?) {
        guard !pending.events.isEmpty else { return (ProcessingOutcome(events: 0, conflicts: []), nil) }
        do {
            return try await writer.writeWithoutTransaction { db in
                // Taken out for the step, and back only once it has committed.
                var known = self.knownIdentities.withLock { known in
                    defer { known = KnownIdentities() }
                    return known
                }
                var floors = self.firstTouchFloors.withLock { floors in
                    defer { floors = FirstTouchFloors() }
                    return floors
                }
                let step = try Self.commitWithoutFsync(db) { db in
                    let outcome = try Self.record(
                        pending.events,
                        after: pending.after,
                        db: db,
                        rules: rules,
                        known: &known,
                        floors: &floors
                    )
                    guard let followUp, outcome.events > 0 else {
                        return (outcome: outcome, followUp: Result<T, any Error>?.none)
                    }
                    var result: Result<T, any Error>?
                    do {
                        try db.inSavepoint {
                            result = .success(try followUp(db, outcome))
                            return .commit
                        }
                    } catch {
                        result = .failure(error)
                    }
                    return (outcome: outcome, followUp: result)
                }
                self.knownIdentities.withLock { $0 = known }
                self.firstTouchFloors.withLock { $0 = floors }
                return step
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unavailable, "could not process events: \(error)", underlying: error)
        }
    }

    /// Writes the customer data of `prepared` and moves the cursor past it, unless another
    /// processor moved the cursor since `cursor` was read. Identities are looked up in `known`
    /// first, which gets this step's lookups; first touches that `floors` says cannot win are not
    /// written, and `floors` gets this step's.
    static func record(
        _ prepared: [PreparedEvent],
        after cursor: Int64,
        db: Database,
        rules: IdentityRules,
        known: inout KnownIdentities,
        floors: inout FirstTouchFloors
    ) throws
        -> ProcessingOutcome
    {
        guard let last = prepared.last, try processingCursor(db) == cursor else {
            return ProcessingOutcome(events: 0, conflicts: [])
        }
        var ordering: Set<Int64> = []
        try known.validate(db)
        try floors.validate(db)
        let graph = try IdentityGraph(db: db, rules: rules, known: known)
        // The graph holds the only copy, so that it grows in place.
        known = KnownIdentities()
        let recorder = try CustomerRecorder(db: db)
        var conflicts: [String] = []
        var changes: [Int64: CustomerChange] = [:]
        for event in prepared {
            let resolved = try graph.resolve(event)
            conflicts += resolved.conflicts
            if let customer = try recorder.record(event, customer: resolved.customerId, floors: &floors) {
                ordering.insert(customer)
            }
            changes[resolved.customerId, default: CustomerChange()].note(event)
        }
        for customer in graph.cache.created.union(graph.cache.merged) {
            changes[customer, default: CustomerChange()].isWhole = true
        }
        for customer in graph.cache.created.subtracting(graph.cache.merged) {
            changes[customer, default: CustomerChange()].isNew = true
        }
        known = try graph.cache.takeKnown(db)
        try floors.renewStamp(db)
        try db.executeCached(
            sql: """
                INSERT INTO processingCursor (name, lastEventId) VALUES ('customers', ?)
                ON CONFLICT (name) DO UPDATE SET lastEventId = excluded.lastEventId
                """,
            arguments: [last.id]
        )
        return ProcessingOutcome(
            events: prepared.count,
            conflicts: conflicts,
            customersWithOrderChanges: ordering.union(graph.cache.gainedTransactions).sorted(),
            changes: changes,
            eventIds: (cursor + 1)...last.id,
            lastReceivedAt: last.event.receivedAt
        )
    }

    static func processingCursor(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT lastEventId FROM processingCursor WHERE name = 'customers'"))
            ?? 0
    }

    /// The identity merges and splits recorded after audit entry `auditId` (by any process): the last
    /// entry, and the customers on either side of those merges and splits. With `nil`, only the last
    /// entry.
    package static func identityChanges(
        _ db: Database,
        after auditId: Int64?
    ) throws -> (auditId: Int64, customers: Set<Int64>) {
        guard let auditId else {
            return (try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(id) FROM identityAudit")) ?? 0, [])
        }
        var last = auditId
        var customers: Set<Int64> = []
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: "SELECT id, action, customerId, otherCustomerId FROM identityAudit WHERE id > ? ORDER BY id"
            ),
            arguments: [auditId]
        )
        while let row = try rows.next() {
            last = row[0]
            guard [IdentityGraph.Action.merge.rawValue, IdentityGraph.Action.split.rawValue].contains(row[1])
            else { continue }
            if let customer: Int64 = row[2] { customers.insert(customer) }
            if let other: Int64 = row[3] { customers.insert(other) }
        }
        return (last, customers)
    }

    /// Processes until nothing is pending.
    public func processAll(rules: IdentityRules = IdentityRules()) async throws(StoreError) {
        while try await processPending(rules: rules).events > 0 {}
    }

    /// Events stored, processed into customers, and pending.
    public func ingestStatus() async throws(StoreError) -> IngestStatus {
        try await read("read the ingest status") { db in
            let stored = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM event")) ?? 0
            let cursor =
                try Int64.fetchOne(
                    db.cachedStatement(sql: "SELECT lastEventId FROM processingCursor WHERE name = 'customers'")
                ) ?? 0
            let pending =
                try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT count(*) FROM event WHERE id > ?"),
                    arguments: [cursor]
                ) ?? 0
            return IngestStatus(storedEvents: stored, processedEvents: stored - pending, pendingEvents: pending)
        }
    }

    /// Undoes the merge recorded as identity audit entry `auditId`.
    /// - Returns: the customer the merge went into and the customer restored.
    public func splitMerge(auditId: Int64) async throws(StoreError) -> (winner: Int64, restored: Int64) {
        try await write("split") { db in
            try IdentityGraph(db: db, rules: IdentityRules()).split(auditId: auditId)
        }
    }
}

/// Events read for one processing step, prepared, with the cursor they follow.
public struct PendingEvents: Sendable {
    /// The processing cursor the events follow (the id just before the first of them): every event
    /// up to it was processed when they were read.
    public let after: Int64
    /// The events, in id order.
    let events: [PreparedEvent]
    /// The most events the read could return.
    let limit: Int

    /// No events.
    public static let none = PendingEvents(after: 0, events: [], limit: 0)

    /// The read returned as many events as it could: more may be pending.
    public var isFull: Bool { !events.isEmpty && events.count == limit }

    /// No event was pending.
    public var isEmpty: Bool { events.isEmpty }

    /// The id of the last event (`nil` when none was pending).
    public var lastEventId: Int64? { events.last?.id }
}

/// The result of one processing step.
public struct ProcessingOutcome: Sendable, Hashable {
    /// Events processed.
    public var events: Int
    /// Identity conflicts met (two user ids that were not merged), for the log.
    public var conflicts: [String]
    /// Customers whose transactions changed (a new order, a refund, or a merge that brought another
    /// customer's orders): their scores are stale.
    public var customersWithOrderChanges: [Int64] = []
    /// What changed for each customer an event was recorded for, created, or merged (into another
    /// or from another).
    public var changes: [Int64: CustomerChange] = [:]
    /// The ids the step covered: from just past the cursor it started from to the last event
    /// processed (`nil` when nothing was processed).
    public var eventIds: ClosedRange<Int64>?
    /// When the last event processed was received (`nil` when nothing was processed): how far
    /// processing lags behind ingest.
    public var lastReceivedAt: Date?
}

extension ProcessingOutcome {
    /// An outcome of `events` events with `conflicts`, and nothing else yet.
    public init(events: Int, conflicts: [String]) {
        self.events = events
        self.conflicts = conflicts
    }
}

extension CustomerChange {
    /// Adds what `prepared` tells about its customer.
    mutating func note(_ prepared: PreparedEvent) {
        for trait in prepared.traits { traitKeys.insert(trait.key) }
        let event = prepared.event
        guard event.type == .track, let name = event.name else { return }
        // The store keeps whole milliseconds; the date read back from its text may fall a hair
        // below one, so the nearest is the stored one.
        trackTimes[name, default: []].append(Int64((event.timestamp.timeIntervalSince1970 * 1000).rounded()))
    }
}

/// Where ingest and processing stand.
public struct IngestStatus: Sendable, Hashable, Codable {
    /// Events stored.
    public var storedEvents: Int
    /// Events turned into customer data.
    public var processedEvents: Int
    /// Events waiting to be processed.
    public var pendingEvents: Int
}
