import Foundation
import PatronCore
import Testing

@testable import PatronStorage

/// The processing service reads a step's successor while the step is written
/// (``SQLiteStore/pendingEvents(after:limit:rules:)``). Events read ahead are written only if the
/// cursor is where they were read from: never twice, never out of order, never past a step that
/// failed.
struct ReadAheadTests {
    @Test func eventsReadAheadAreWrittenOnlyRightAfterTheStepTheyFollow() async throws {
        let store = try SQLiteStore(path: EventIndexTests.temporaryPath())
        try await DurabilityTests.ingest(store, messageIds: ["a", "b", "c"])
        let first = try await store.pendingEvents(limit: 2)
        #expect(first.isFull && first.lastEventId == 2)
        let last: Int64 = try #require(first.lastEventId)
        let second = try await store.pendingEvents(after: last, limit: 2)
        #expect(second.lastEventId == 3 && !second.isFull)
        // Ahead of the step it follows (as if that step failed): nothing is written.
        #expect(try await store.process(second).events == 0)
        #expect(try await store.ingestStatus().processedEvents == 0)
        #expect(try await store.process(first).events == 2)
        #expect(try await store.process(second).events == 1)
        #expect(try await store.process(second).events == 0, "an event is never processed twice")
        #expect(try await store.process(first).events == 0)
        #expect(try await store.ingestStatus().pendingEvents == 0)
        #expect(try await store.pendingEvents(limit: 2).isEmpty)
    }

    @Test func readingAheadTakesTheEventsOfAGroupCommitStillBeingSynced() async throws {
        let store = try SQLiteStore(path: EventIndexTests.temporaryPath())
        try await DurabilityTests.ingest(store, messageIds: ["a", "b", "c"])
        // As if the group holding event 3 were committed and its sync still running: its webhooks
        // wait for the sync (DurabilityTests), its processing does not.
        store.unsynced.committing(nextDeliveryId: 1)
        let ahead = try await store.pendingEvents(after: 1, limit: 10)
        #expect(ahead.lastEventId == 3)
        _ = store.unsynced.allSynced()
    }
}
