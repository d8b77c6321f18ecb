import Foundation
import PatronCore
import PatronSegments
import PatronStorage
import PatronTestSupport
import Testing

/// A real SQLite store in a temporary file, filled through the ingest path, that evaluates
/// conditions with both engines.
struct SegmentTestStore {
    let store: SQLiteStore

    /// The instant conditions are evaluated at in these tests.
    static let now = SegmentTimestamp.parse("2025-06-01T00:00:00.000Z")!

    init() throws {
        let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
            .path
        store = try SQLiteStore(path: path)
    }

    /// Stores the events (JSON objects) as source `web`, then processes them into customers.
    func send(_ events: [JSONValue]) async throws {
        try await ingest(events)
        try await store.processAll()
    }

    /// Stores the events (JSON objects) as source `web`, received at `receivedAt`, leaving them pending.
    func ingest(_ events: [JSONValue], receivedAt: Date = now) async throws {
        let body = Data(JSONValue.object(["batch": .array(events)]).jsonText.utf8)
        let request = try SegmentRequest.parse(body: body, single: nil, receivedAt: receivedAt)
        #expect(request.rejected.isEmpty, "test events must be valid: \(request.rejected)")
        _ = try await store.ingest(IngestBatch(source: "web", accepted: request.accepted, rejected: request.rejected))
    }

    /// Processes up to `limit` pending events in one step that evaluates the segments in its own
    /// transaction, at ``now``.
    func processPending(
        limit: Int = 10,
        cache: SegmentDefinitionCache = SegmentDefinitionCache(),
        windows: CustomerEventWindows = CustomerEventWindows()
    ) async throws -> ProcessedStep {
        try await store.process(
            try await store.pendingEvents(limit: limit),
            evaluatingSegments: cache,
            windows: windows,
            at: Self.now
        )
    }

    /// An identify event giving `userId` the traits (a JSON object as text).
    static func identify(_ userId: String, _ traits: String) throws -> JSONValue {
        try identify(userId, JSONValue.parse(Data(traits.utf8)))
    }

    /// An identify event giving `userId` the traits.
    static func identify(_ userId: String, _ traits: JSONValue) -> JSONValue {
        .object([
            "type": .string("identify"), "userId": .string(userId), "messageId": .string(UUID().uuidString),
            "traits": traits, "timestamp": .string("2025-01-01T00:00:00.000Z"),
        ])
    }

    /// A track event `name` of `userId`, `ago` milliseconds before ``now``.
    static func track(_ userId: String, _ name: String, millisecondsAgo ago: Int64) -> JSONValue {
        let time = Date(timeIntervalSince1970: Double(CustomerFacts.milliseconds(now) - ago) / 1000)
        return .object([
            "type": .string("track"), "userId": .string(userId), "event": .string(name),
            "messageId": .string(UUID().uuidString), "timestamp": .string(SegmentTimestamp.format(time)),
        ])
    }

    /// Saves a current score for each customer (under one model version).
    func saveScores(_ scores: [(userId: String, probabilityAlive: Double, value: Double, decile: Int)]) async throws {
        let version = try await store.saveModelVersion(
            ModelVersion(
                createdAt: Self.now,
                purchaseModel: "bgnbd",
                purchaseParameterNames: [],
                purchaseParameters: [],
                purchaseStandardErrors: nil,
                spendParameters: nil,
                spendStandardErrors: nil,
                timeUnit: "days",
                dataCutoffDay: 0,
                monthlyDiscountRate: 0.01,
                customers: scores.count,
                metricsJSON: "{}",
                valueCutPoints: []
            ),
            activate: true
        )
        var rows: [CustomerScore] = []
        for score in scores {
            rows.append(
                CustomerScore(
                    customerId: try await customer(score.userId),
                    modelVersionId: version.id,
                    scoredAt: Self.now,
                    probabilityAlive: score.probabilityAlive,
                    expectedPurchases90Days: score.value / 40,
                    expectedPurchases365Days: score.value / 10,
                    expectedSpend: 25,
                    lifetimeValue1Year: score.value / 3,
                    lifetimeValue3Years: score.value,
                    valueDecile: score.decile,
                    tier: score.decile == 10 ? "top" : score.decile >= 8 ? "high" : score.decile >= 5 ? "medium" : "low"
                )
            )
        }
        try await store.saveScores(rows, reason: "test")
    }

    /// Creates the segments that random conditions refer to (``RandomSegmentData/segmentNames``):
    /// `base-a`, plan starts with "pro", and `base-b`, `A` at least twice (in `window` when given).
    func createBaseSegments(window: SegmentDuration? = nil) async throws {
        _ = try await store.createSegment(
            name: "base-a",
            condition: .trait(key: "plan", Comparison(.startsWith, [.string("pro")]))
        )
        _ = try await store.createSegment(
            name: "base-b",
            condition: .eventCount(EventCountCondition(name: "A", count: 2, inLast: window))
        )
    }

    /// Sends `count` random customers `u0`, `u1`, … (an identify with random traits, then random
    /// events unless `withoutEvents` says so for the index) and saves a random score for some.
    func sendRandomCustomers(
        _ count: Int,
        data: inout RandomSegmentData,
        scoreChance: Double,
        withoutEvents: (Int) -> Bool = { _ in false }
    ) async throws {
        var events: [JSONValue] = []
        var scores: [(userId: String, probabilityAlive: Double, value: Double, decile: Int)] = []
        for index in 0..<count {
            let user = "u\(index)"
            events.append(Self.identify(user, data.traits()))
            for event in withoutEvents(index) ? [] : data.events() {
                events.append(Self.track(user, event.name, millisecondsAgo: event.age))
            }
            if data.chance(scoreChance) {
                let decile = Int.random(in: 1...10, using: &data.random)
                scores.append((user, data.pick([0.1, 0.3, 0.5, 0.9]), data.pick([5, 50, 200, 800]), decile))
            }
        }
        try await send(events)
        try await saveScores(scores)
    }

    /// The id of the customer with user id `userId`.
    func customer(_ userId: String) async throws -> Int64 {
        try #require(try await store.customerId(anyId: userId))
    }

    /// The customers satisfying `condition` at `time` by the SQL engine and by the in-memory engine.
    func members(
        _ condition: SegmentCondition,
        at time: Date = now
    ) async throws -> (sql: [Int64], memory: [Int64]) {
        let sql = try await store.customers(satisfying: condition, at: time)
        let facts = try await store.customerFacts(at: time, lookback: condition.eventLookbackMilliseconds)
        return (sql, facts.filter { condition.isSatisfied(by: $0) }.map(\.customerId))
    }
}
