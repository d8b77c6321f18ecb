import Foundation
import GRDB

extension SQLiteStore {
    /// Saves a fitted model version; with `activate`, it becomes the one new scores use.
    /// - Returns: the version with its assigned id.
    public func saveModelVersion(_ version: ModelVersion, activate: Bool) async throws(StoreError) -> ModelVersion {
        try await write("save a model version") { db in
            if activate { try db.execute(sql: "UPDATE modelVersion SET isActive = 0 WHERE isActive") }
            try db.execute(
                sql: "INSERT INTO modelVersion (createdAt, purchaseModel, isActive, document) VALUES (?, ?, ?, '{}')",
                arguments: [SQLDate(version.createdAt), version.purchaseModel, activate]
            )
            var saved = version
            saved.id = db.lastInsertedRowID
            try db.execute(
                sql: "UPDATE modelVersion SET document = ? WHERE id = ?",
                arguments: [try Self.encode(saved), saved.id]
            )
            return saved
        }
    }

    /// Makes version `id` the active one.
    public func activateModelVersion(_ id: Int64) async throws(StoreError) {
        try await write("activate a model version") { db in
            try db.execute(sql: "UPDATE modelVersion SET isActive = (id = ?)", arguments: [id])
        }
    }

    /// The id of the active model version (a cheap check before reading the whole version).
    public func activeModelVersionId() async throws(StoreError) -> Int64? {
        try await read("read the active model version") { db in
            try Int64.fetchOne(db.cachedStatement(sql: Self.activeVersionIdSQL))
        }
    }

    static let activeVersionIdSQL = "SELECT id FROM modelVersion WHERE isActive ORDER BY id DESC LIMIT 1"

    /// The active model version, or `nil` before the first fit.
    public func activeModelVersion() async throws(StoreError) -> ModelVersion? {
        try await read("read the active model version") { db in
            try String.fetchOne(db, sql: "SELECT document FROM modelVersion WHERE isActive ORDER BY id DESC LIMIT 1")
                .map(Self.decodeModelVersion)
        }
    }

    /// Model versions, newest first.
    public func modelVersions(limit: Int = 50) async throws(StoreError) -> [ModelVersion] {
        try await read("list model versions") { db in
            try String.fetchAll(
                db,
                sql: "SELECT document FROM modelVersion ORDER BY id DESC LIMIT ?",
                arguments: [limit]
            )
            .map(Self.decodeModelVersion)
        }
    }

    /// Writes scores (replacing each customer's current score) and appends them to the score
    /// history with `reason`, in one transaction. Scores are derived from transactions and a model
    /// version, so the commit skips the fsync (see ``commitWithoutFsync(_:_:)``).
    public func saveScores(_ scores: [CustomerScore], reason: String) async throws(StoreError) {
        // A batch run rewrites most scores: the value index is built once afterwards instead of
        // taking a million random inserts (same transaction, so readers never see it missing), and
        // the rows skip SQLite's two parent lookups each (their customers were just summarised from
        // the store, where customers are never deleted, and their version was just saved).
        let rebuildsValueIndex = scores.count >= 100_000
        try await writeWithoutFsync("save scores", foreignKeyChecks: !rebuildsValueIndex) { db in
            if rebuildsValueIndex { try db.execute(sql: "DROP INDEX IF EXISTS scoreByValue") }
            // Bound through the C API: a million scores are written in one run.
            let current = try BoundStatement(
                db,
                sql: """
                    INSERT OR REPLACE INTO customerScore (customerId, modelVersionId, scoredAt, probabilityAlive,
                        expectedPurchases90Days, expectedPurchases365Days, expectedSpend, lifetimeValue1Year,
                        lifetimeValue3Years, valueDecile, tier)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            )
            let history = try BoundStatement(
                db,
                sql: """
                    INSERT INTO scoreHistory (customerId, modelVersionId, scoredAt, reason, probabilityAlive,
                        expectedPurchases365Days, lifetimeValue3Years, valueDecile, tier)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            )
            // A batch run scores everyone with one version at one time: its history rows are then
            // copied from the current scores by one INSERT … SELECT instead of bound one by one.
            let copiesHistory =
                rebuildsValueIndex
                && scores.allSatisfy {
                    $0.modelVersionId == scores[0].modelVersionId && $0.scoredAt == scores[0].scoredAt
                }
            var lastDate: Date?
            var dateText = ""
            for score in scores {
                if score.scoredAt != lastDate {
                    lastDate = score.scoredAt
                    dateText = SQLDate.text(score.scoredAt)
                }
                current.bind(score.customerId, at: 1)
                current.bind(score.modelVersionId, at: 2)
                current.bind(dateText, at: 3)
                current.bind(score.probabilityAlive, at: 4)
                current.bind(score.expectedPurchases90Days, at: 5)
                current.bind(score.expectedPurchases365Days, at: 6)
                current.bind(score.expectedSpend, at: 7)
                current.bind(score.lifetimeValue1Year, at: 8)
                current.bind(score.lifetimeValue3Years, at: 9)
                current.bind(Int64(score.valueDecile), at: 10)
                current.bind(score.tier, at: 11)
                try current.execute()
                if copiesHistory { continue }
                history.bind(score.customerId, at: 1)
                history.bind(score.modelVersionId, at: 2)
                history.bind(dateText, at: 3)
                history.bind(reason, at: 4)
                history.bind(score.probabilityAlive, at: 5)
                history.bind(score.expectedPurchases365Days, at: 6)
                history.bind(score.lifetimeValue3Years, at: 7)
                history.bind(Int64(score.valueDecile), at: 8)
                history.bind(score.tier, at: 9)
                try history.execute()
            }
            if copiesHistory, let first = scores.first {
                try db.execute(
                    sql: """
                        INSERT INTO scoreHistory (customerId, modelVersionId, scoredAt, reason, probabilityAlive,
                            expectedPurchases365Days, lifetimeValue3Years, valueDecile, tier)
                        SELECT customerId, modelVersionId, scoredAt, ?, probabilityAlive, expectedPurchases365Days,
                            lifetimeValue3Years, valueDecile, tier
                        FROM customerScore WHERE modelVersionId = ? AND scoredAt = ?
                        """,
                    arguments: [reason, first.modelVersionId, SQLDate.text(first.scoredAt)]
                )
            }
            if rebuildsValueIndex {
                try db.create(index: "scoreByValue", on: "customerScore", columns: ["lifetimeValue3Years"])
            }
        }
    }

    /// Customer `id`'s current score, or `nil` when it has none.
    public func score(customerId id: Int64) async throws(StoreError) -> CustomerScore? {
        try await read("read a score") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM customerScore WHERE customerId = ?", arguments: [id])
                .map(Self.score(row:))
        }
    }

    /// Current scores, highest 3-year CLV first.
    public func scores(limit: Int, offset: Int = 0) async throws(StoreError) -> [CustomerScore] {
        try await read("read scores") { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM customerScore ORDER BY lifetimeValue3Years DESC, customerId LIMIT ? OFFSET ?",
                arguments: [limit, offset]
            )
            .map(Self.score(row:))
        }
    }

    /// Customer `id`'s score history, in the order it was written.
    public func scoreHistory(customerId id: Int64) async throws(StoreError) -> [ScoreHistoryEntry] {
        try await read("read a score history") { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM scoreHistory WHERE customerId = ? ORDER BY id",
                arguments: [id]
            )
            .map { row in
                ScoreHistoryEntry(
                    modelVersionId: row["modelVersionId"],
                    scoredAt: row["scoredAt"],
                    reason: row["reason"],
                    probabilityAlive: row["probabilityAlive"],
                    expectedPurchases365Days: row["expectedPurchases365Days"],
                    lifetimeValue3Years: row["lifetimeValue3Years"],
                    valueDecile: row["valueDecile"],
                    tier: row["tier"]
                )
            }
        }
    }

    /// Current scores summed by tier or by value decile, highest value first.
    public func scoreGroups(byDecile: Bool) async throws(StoreError) -> [ScoreGroup] {
        try await read("sum scores") { db in
            let key = byDecile ? "valueDecile" : "tier"
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT CAST(\(key) AS TEXT), count(*), sum(lifetimeValue1Year), sum(lifetimeValue3Years),
                        sum(expectedPurchases365Days), avg(probabilityAlive)
                    FROM customerScore GROUP BY \(key) ORDER BY max(lifetimeValue3Years) DESC
                    """
            )
            .map { row in
                ScoreGroup(
                    key: row[0],
                    customers: row[1],
                    lifetimeValue1Year: row[2],
                    lifetimeValue3Years: row[3],
                    expectedPurchases365Days: row[4],
                    meanProbabilityAlive: row[5]
                )
            }
        }
    }

    /// Customers whose current P(alive) is at least `minimumProbabilityAlive`.
    public func scoredCustomers(minimumProbabilityAlive: Double) async throws(StoreError) -> Int {
        try await read("count scores") { db in
            try Int.fetchOne(
                db,
                sql: "SELECT count(*) FROM customerScore WHERE probabilityAlive >= ?",
                arguments: [minimumProbabilityAlive]
            ) ?? 0
        }
    }

    private static func score(row: Row) -> CustomerScore {
        CustomerScore(
            customerId: row["customerId"],
            modelVersionId: row["modelVersionId"],
            scoredAt: row["scoredAt"],
            probabilityAlive: row["probabilityAlive"],
            expectedPurchases90Days: row["expectedPurchases90Days"],
            expectedPurchases365Days: row["expectedPurchases365Days"],
            expectedSpend: row["expectedSpend"],
            lifetimeValue1Year: row["lifetimeValue1Year"],
            lifetimeValue3Years: row["lifetimeValue3Years"],
            valueDecile: row["valueDecile"],
            tier: row["tier"]
        )
    }

    private static func encode(_ version: ModelVersion) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf",
            negativeInfinity: "-inf",
            nan: "nan"
        )
        return String(decoding: try encoder.encode(version), as: UTF8.self)
    }

    private static func decodeModelVersion(_ document: String) throws -> ModelVersion {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf",
            negativeInfinity: "-inf",
            nan: "nan"
        )
        return try decoder.decode(ModelVersion.self, from: Data(document.utf8))
    }
}
