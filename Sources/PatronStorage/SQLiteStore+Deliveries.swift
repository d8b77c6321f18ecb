public import Foundation
public import GRDB

extension SQLiteStore {
    /// Signalled when a transaction that queued a webhook commits (an enqueued delivery, a replay),
    /// by any store of this process: the webhook deliverer waits on it, not on every commit (at
    /// 10,000 events/s ingest alone commits some 400 times a second), between its polls.
    public static let deliveriesQueued = ChangeSignal()

    /// Puts a webhook into the outbox inside the caller's write transaction, so the send is recorded
    /// atomically with what caused it (a membership change). A message about a customer who has not
    /// consented to the destination's purpose, or who reached its frequency cap, is recorded as
    /// `suppressed` with the reason instead of being queued.
    @discardableResult
    public static func enqueueDelivery(
        _ db: Database,
        destinationId: Int64,
        eventType: String,
        customerId: Int64?,
        payload: String,
        at now: Date
    ) throws -> QueuedDelivery {
        let webhookId = "msg_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        var reason: String?
        if let customerId,
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM destination WHERE id = ?"),
                arguments: [destinationId]
            )
        {
            let destination = try Self.destination(row: row)
            reason =
                try Self.consentRefusal(db, destination: destination, customerId: customerId)
                ?? Self.capRefusal(db, destination: destination, customerId: customerId, now: now)
        }
        let status: Delivery.Status = reason == nil ? .pending : .suppressed
        try db.execute(
            sql: """
                INSERT INTO delivery (destinationId, webhookId, eventType, customerId, payload, createdAt, status,
                    nextAttemptAt, lastError)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                destinationId, webhookId, eventType, customerId, payload, SQLDate(now), status.rawValue,
                reason == nil ? SQLDate(now) : nil, reason,
            ]
        )
        if status == .pending { db.afterNextTransaction { _ in Self.deliveriesQueued.signal() } }
        return QueuedDelivery(webhookId: webhookId, status: status, reason: reason)
    }

    /// Enqueues a webhook for destination `name` in its own transaction (tests, `POST
    /// /api/v1/destinations/{name}/test`).
    public func enqueueDelivery(
        toDestination name: String,
        eventType: String,
        customerId: Int64? = nil,
        payload: String,
        at now: Date = Date()
    ) async throws(StoreError) -> QueuedDelivery {
        try await write("enqueue a delivery") { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM destination WHERE name = ?", arguments: [name])
            else { throw StoreError(.notFound, "no destination named '\(name)'") }
            return try Self.enqueueDelivery(
                db,
                destinationId: id,
                eventType: eventType,
                customerId: customerId,
                payload: payload,
                at: now
            )
        }
    }

    /// The due deliveries of every enabled destination with a pending delivery due at `now`, except
    /// those of `excluded` (their deliverers are running and read their own): up to `limit` per
    /// destination, each with its consent checked, in one read. Deliveries that may come from events
    /// not yet synced are left for a later read (``UnsyncedCommits``).
    public func dueDeliveries(
        at now: Date,
        excluding excluded: Set<Int64> = [],
        limit: Int = 50
    ) async throws(StoreError) -> [DueDeliveries] {
        // Polled every few milliseconds by the deliverer: compiled once per reader connection.
        try await read("find due deliveries") { [unsynced] db in
            let read = try OutboxRead(db, unsynced: unsynced)
            let destinations = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT * FROM destination WHERE disabledAt IS NULL
                        AND id NOT IN (SELECT value FROM json_each(?)) AND EXISTS (
                            SELECT 1 FROM delivery WHERE status = 'pending' AND destinationId = destination.id
                                AND nextAttemptAt <= ? AND id < ?)
                        """
                ),
                arguments: [jsonIdList(excluded.sorted()), SQLDate(now), read.sendableBelow]
            )
            return try destinations.map { row in
                try Self.dueDeliveries(db, of: Self.destination(row: row), at: now, limit: limit, in: read)
            }
        }
    }

    /// A read of the outbox for sending: when it started, and the id below which its deliveries may
    /// be sent.
    private struct OutboxRead {
        /// When the read started (consent checks made in it are as old as this).
        var readAt: ContinuousClock.Instant
        /// A delivery queued after an ingest group commit not yet synced may come from its events,
        /// which a power failure could still take back (``UnsyncedCommits``): only those below this
        /// id may be sent.
        var sendableBelow: Int64

        /// Starts the read's snapshot, then reads the limit (a group noted itself before it
        /// committed, so one that this snapshot holds and that is not synced yet is found).
        init(_ db: Database, unsynced: UnsyncedCommits) throws {
            readAt = ContinuousClock.now
            let newest = try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(id) FROM delivery")) ?? 0
            sendableBelow = unsynced.deliveryIdLimit(newestDelivery: newest)
        }
    }

    /// Up to `limit` pending deliveries of destination `destinationId` due at `now`, oldest first, each with its consent checked against the destination as it
    /// is now, in one read; `nil` when the destination is gone or disabled.
    public func dueDeliveries(
        ofDestination destinationId: Int64,
        at now: Date,
        limit: Int = 50
    ) async throws(StoreError) -> DueDeliveries? {
        try await read("read due deliveries") { [unsynced] db in
            let read = try OutboxRead(db, unsynced: unsynced)
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT * FROM destination WHERE id = ? AND disabledAt IS NULL"),
                    arguments: [destinationId]
                )
            else { return nil }
            return try Self.dueDeliveries(db, of: Self.destination(row: row), at: now, limit: limit, in: read)
        }
    }

    /// The due deliveries of `destination` that `read` may send, read through `db` in it.
    private static func dueDeliveries(
        _ db: Database,
        of destination: Destination,
        at now: Date,
        limit: Int,
        in read: OutboxRead
    ) throws -> DueDeliveries {
        let deliveries = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT * FROM delivery WHERE status = 'pending' AND destinationId = ? AND nextAttemptAt <= ?
                        AND id < ?
                    ORDER BY id LIMIT ?
                    """
            ),
            arguments: [destination.id, SQLDate(now), read.sendableBelow, limit]
        )
        .map(Self.delivery(row:))
        return DueDeliveries(
            destination: destination,
            deliveries: try deliveries.map { delivery in
                let refusal = try delivery.customerId.flatMap { customer in
                    try consentRefusal(db, destination: destination, customerId: customer)
                }
                return (delivery, refusal)
            },
            readAt: read.readAt
        )
    }

    /// Records an attempt and its outcome (a 410 also disables the destination).
    ///
    /// The transaction commits without an fsync of its own on the writer's thread (the next sync of
    /// the log, an ingest group commit's or a checkpoint's, makes it durable): a sync per webhook
    /// held the writer, and every commit queued behind it, for 5 ms on average and up to 35 ms at
    /// 10,000 events/s on a busy disk (BENCHMARKS.md §5). A record lost to a power failure before
    /// that sync only means the message is sent again with the same `webhook-id` (delivery is at
    /// least once); a process crash loses nothing.
    public func recordAttempt(
        _ delivery: Delivery,
        outcome: DeliveryAttemptOutcome,
        at now: Date,
        milliseconds: Double
    ) async throws(StoreError) {
        try await writeWithoutFsync("record a delivery attempt") { db in
            let statusCode: Int?
            let error: String?
            switch outcome {
            case .delivered(let code):
                (statusCode, error) = (code, nil)
                try db.execute(
                    sql: """
                        UPDATE delivery SET status = 'delivered', attempts = attempts + 1, nextAttemptAt = NULL,
                            lastStatusCode = ?, lastError = NULL, deliveredAt = ? WHERE id = ?
                        """,
                    arguments: [code, SQLDate(now), delivery.id]
                )
            case .retry(let code, let message, let next):
                (statusCode, error) = (code, message)
                try db.execute(
                    sql: """
                        UPDATE delivery SET attempts = attempts + 1, nextAttemptAt = ?, lastStatusCode = ?, lastError = ?
                        WHERE id = ?
                        """,
                    arguments: [SQLDate(next), code, message, delivery.id]
                )
            case .dead(let code, let message):
                (statusCode, error) = (code, message)
                try db.execute(
                    sql: """
                        UPDATE delivery SET status = 'dead', attempts = attempts + 1, nextAttemptAt = NULL,
                            lastStatusCode = ?, lastError = ? WHERE id = ?
                        """,
                    arguments: [code, message, delivery.id]
                )
            case .suppressed(let reason):
                (statusCode, error) = (nil, reason)
                try db.execute(
                    sql: "UPDATE delivery SET status = 'suppressed', nextAttemptAt = NULL, lastError = ? WHERE id = ?",
                    arguments: [reason, delivery.id]
                )
                return
            case .gone:
                (statusCode, error) = (410, "the endpoint answered 410 Gone: destination disabled")
                try db.execute(
                    sql: """
                        UPDATE delivery SET status = 'dead', attempts = attempts + 1, nextAttemptAt = NULL,
                            lastStatusCode = 410, lastError = ? WHERE id = ?
                        """,
                    arguments: [error, delivery.id]
                )
                try db.execute(
                    sql: "UPDATE destination SET disabledAt = ?, disabledReason = ? WHERE id = ?",
                    arguments: [SQLDate(now), "the endpoint answered 410 Gone", delivery.destinationId]
                )
            }
            try db.execute(
                sql: """
                    INSERT INTO deliveryAttempt (deliveryId, attemptedAt, statusCode, error, milliseconds)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [delivery.id, SQLDate(now), statusCode, error, milliseconds]
            )
        }
    }

    /// Deliveries, newest first, optionally of one status and destination.
    public func deliveries(
        status: Delivery.Status? = nil,
        destination name: String? = nil,
        limit: Int = 100
    ) async throws(StoreError) -> [Delivery] {
        try await read("list deliveries") { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let status {
                conditions.append("status = ?")
                _ = arguments.append(contentsOf: [status.rawValue])
            }
            if let name {
                conditions.append("destinationId = (SELECT id FROM destination WHERE name = ?)")
                _ = arguments.append(contentsOf: [name])
            }
            _ = arguments.append(contentsOf: [limit])
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(
                db,
                sql: "SELECT * FROM delivery \(filter) ORDER BY id DESC LIMIT ?",
                arguments: arguments
            )
            .map(Self.delivery(row:))
        }
    }

    /// Puts dead-lettered deliveries back in the queue, due now, with a fresh retry budget: the given
    /// ids, or every dead one of destination `name` (or of all destinations).
    /// - Returns: how many were requeued.
    public func replayDeliveries(
        ids: [Int64]? = nil,
        destination name: String? = nil,
        at now: Date = Date()
    )
        async throws(StoreError) -> Int
    {
        try await write("replay deliveries") { db in
            var sql = "UPDATE delivery SET status = 'pending', attempts = 0, nextAttemptAt = ? WHERE status = 'dead'"
            var arguments: StatementArguments = [SQLDate(now)]
            if let ids {
                sql += " AND id IN (SELECT value FROM json_each(?))"
                _ = arguments.append(contentsOf: [jsonIdList(ids)])
            }
            if let name {
                sql += " AND destinationId = (SELECT id FROM destination WHERE name = ?)"
                _ = arguments.append(contentsOf: [name])
            }
            try db.execute(sql: sql, arguments: arguments)
            if db.changesCount > 0 { db.afterNextTransaction { _ in Self.deliveriesQueued.signal() } }
            return db.changesCount
        }
    }

    static func delivery(row: Row) throws -> Delivery {
        Delivery(
            id: row["id"],
            destinationId: row["destinationId"],
            webhookId: row["webhookId"],
            eventType: row["eventType"],
            customerId: row["customerId"],
            payload: row["payload"],
            createdAt: (row["createdAt"] as SQLDate).date,
            status: Delivery.Status(rawValue: row["status"]) ?? .pending,
            attempts: row["attempts"],
            nextAttemptAt: (row["nextAttemptAt"] as SQLDate?)?.date,
            lastStatusCode: row["lastStatusCode"],
            lastError: row["lastError"],
            deliveredAt: (row["deliveredAt"] as SQLDate?)?.date
        )
    }
}
