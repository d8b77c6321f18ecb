import Foundation
import GRDB
import PatronCore
import PatronStorage
import PatronTestSupport
import Testing

/// Work run in a processing step's own transaction after its events are recorded
/// (`SQLiteStore.process(_:rules:followedBy:)`, the real-time segment engine's way in).
struct ProcessingFollowUpTests {
    struct Refused: Error {}

    let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
        .path

    /// Stores two `track` events of u1, leaving them pending.
    func storeTwoEvents(_ store: SQLiteStore) async throws {
        let body = Data(
            #"{"batch":[{"type":"track","userId":"u1","event":"A","messageId":"m1"},{"type":"track","userId":"u1","event":"B","messageId":"m2"}]}"#
                .utf8
        )
        let request = try SegmentRequest.parse(body: body, single: nil, receivedAt: Date())
        _ = try await store.ingest(IngestBatch(source: "web", accepted: request.accepted, rejected: request.rejected))
    }

    /// The rows the follow-ups below write (a processing cursor of their own).
    func followUpRows() throws -> Int {
        try DatabaseQueue(path: path).read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM processingCursor WHERE name = 'follow-up'") ?? 0
        }
    }

    @Test func aFollowUpSeesTheStepAndCommitsWithIt() async throws {
        let store = try SQLiteStore(path: path)
        try await storeTwoEvents(store)
        let step = try await store.process(
            try await store.pendingEvents(limit: 10),
            rules: IdentityRules(),
            followedBy: { db, outcome in
                try db.execute(
                    sql: "INSERT INTO processingCursor (name, lastEventId) VALUES ('follow-up', ?)",
                    arguments: [outcome.eventIds?.upperBound]
                )
                // The step's customer, not yet committed, is visible here.
                return try Int.fetchOne(db, sql: "SELECT count(*) FROM customer") ?? 0
            }
        )
        #expect(step.outcome.events == 2)
        #expect(try step.followUp?.get() == 1)
        #expect(try followUpRows() == 1)
    }

    @Test func aFailingFollowUpIsRolledBackAloneAndTheStepCommits() async throws {
        let store = try SQLiteStore(path: path)
        try await storeTwoEvents(store)
        let step = try await store.process(
            try await store.pendingEvents(limit: 10),
            rules: IdentityRules(),
            followedBy: { db, _ in
                try db.execute(sql: "INSERT INTO processingCursor (name, lastEventId) VALUES ('follow-up', 0)")
                throw Refused()
            }
        )
        #expect(step.outcome.events == 2)
        #expect(throws: Refused.self) { try step.followUp?.get() }
        #expect(try followUpRows() == 0)
        #expect(try await store.ingestStatus().pendingEvents == 0)
        #expect(try await store.customerId(anyId: "u1") != nil)
    }

    @Test func noFollowUpWithoutEvents() async throws {
        let store = try SQLiteStore(path: path)
        let step = try await store.process(
            .none,
            rules: IdentityRules(),
            followedBy: { _, _ in Issue.record("a step without events has no follow-up") }
        )
        #expect(step.outcome.events == 0 && step.followUp == nil)
    }
}
