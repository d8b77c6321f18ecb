import Foundation
import GRDB
import PatronCore
import Testing

@testable import PatronStorage

/// Reading a processing step ahead, while the one before it is recorded.
struct PendingEventsTests {
    @Test func aStepReadAheadIsRecordedOnlyAfterTheStepBeforeItAndNothingIsLost() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
        let store = try SQLiteStore(path: path.path)
        try await DurabilityTests.ingest(store, messageIds: ["a", "b", "c", "d", "e"])
        let first = try await store.readPending(limit: 2)
        let second = try await store.readPending(after: first.lastEventId, limit: 2)
        #expect(first.count == 2)
        #expect(second.count == 2)
        #expect(second.lastEventId == 4)
        #expect(
            try await store.record(second).events == 0,
            "the step before it is not recorded: the cursor is not where it was read after"
        )
        #expect(try await store.record(first).events == 2)
        #expect(try await store.record(first).events == 0, "a step is recorded once")
        let recorded = try await store.record(second)
        #expect(recorded.events == 2)
        #expect(recorded.eventIds == 3...4)
        #expect(try await store.processPending().events == 1)
        #expect(try await store.ingestStatus().pendingEvents == 0)
        let customers = try await store.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM customer") }
        #expect(customers == 5, "each event once: five users, five customers")
    }

    @Test func aStepReadAheadStopsAtEventsNotYetSynced() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
        let store = try SQLiteStore(path: path.path)
        try await DurabilityTests.ingest(store, messageIds: ["a", "b", "c"])
        store.unsynced.committing(firstEventId: 3)
        let ahead = try await store.readPending(after: 1, limit: 10)
        #expect(ahead.count == 1)
        #expect(ahead.lastEventId == 2)
        store.unsynced.oldestSynced()
    }
}
