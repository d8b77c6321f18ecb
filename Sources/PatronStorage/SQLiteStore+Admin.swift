import Foundation
import GRDB
public import PatronCore

extension SQLiteStore {
    /// Makes sure the admin API has a token: registers `provided` (stored hashed) when given; when
    /// not given and none is stored yet, generates one.
    /// - Returns: the generated token (to print once), or `nil` when none was generated.
    public func ensureAdminToken(_ provided: String?) async throws(StoreError) -> String? {
        try await write("store the admin token") { db -> String? in
            if let provided {
                try db.executeCached(
                    sql: "INSERT INTO adminToken (hash, createdAt) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING",
                    arguments: [Self.hash(provided), SQLDate.now]
                )
                return nil
            }
            guard try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM adminToken")) == 0 else {
                return nil
            }
            let token = "pat_" + Self.randomHex(bytes: 24)
            try db.executeCached(
                sql: "INSERT INTO adminToken (hash, createdAt) VALUES (?, ?)",
                arguments: [Self.hash(token), SQLDate.now]
            )
            return token
        }
    }

    /// Whether `token` is a registered admin token.
    public func isAdminToken(_ token: String) async throws(StoreError) -> Bool {
        let hash = Self.hash(token)
        return try await read("check the admin token") { db in
            try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM adminToken WHERE hash = ?"), arguments: [hash])
                ?? false
        }
    }

    /// `bytes` random bytes from the system generator, as hex.
    public static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// Validates quarantined events again with the current rules and moves the ones that pass into
    /// the event log (deduplicated on messageId as at ingest); the others stay, with their new reason.
    /// - Parameters:
    ///   - ids: the quarantine rows to replay; `nil` replays every row not yet replayed.
    ///   - limits: the per-event limits to apply.
    public func replayQuarantine(
        ids: [Int64]?,
        limits: IngestLimits = IngestLimits()
    ) async throws(StoreError) -> ReplayOutcome {
        try await write("replay the quarantine") { db in
            var sql = "SELECT id, source, payload, receivedAt FROM quarantine WHERE replayedAt IS NULL"
            var arguments: StatementArguments = []
            if let ids {
                sql += " AND id IN (\(databaseQuestionMarks(count: ids.count)))"
                arguments = StatementArguments(ids)
            }
            var outcome = ReplayOutcome()
            for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
                let payloadText: String = row["payload"]
                let receivedAt: Date = row["receivedAt"]
                let id: Int64 = row["id"]
                switch SegmentRequest.validate(eventJSON: payloadText, receivedAt: receivedAt, limits: limits) {
                case .success(let event):
                    let result = try Self.insert(
                        IngestBatch(source: row["source"], accepted: [event], rejected: []),
                        with: try Self.eventInsertion(db),
                        db: db
                    )
                    outcome.replayed += result.stored
                    outcome.duplicates += result.duplicates
                    try db.executeCached(
                        sql: "UPDATE quarantine SET replayedAt = ? WHERE id = ?",
                        arguments: [SQLDate.now, id]
                    )
                case .failure(let rejection):
                    outcome.stillInvalid += 1
                    try db.executeCached(
                        sql: "UPDATE quarantine SET reason = ?, detail = ? WHERE id = ?",
                        arguments: [rejection.reason.rawValue, rejection.detail, id]
                    )
                }
            }
            return outcome
        }
    }
}

/// What a quarantine replay did.
public struct ReplayOutcome: Sendable, Hashable, Codable {
    /// Events now valid and stored.
    public var replayed = 0
    /// Events now valid whose messageId was already stored.
    public var duplicates = 0
    /// Events still invalid (left in quarantine).
    public var stillInvalid = 0
}
