import Foundation
import GRDB
import PatronCore
import PatronTestSupport
import Synchronization
import Testing

@testable import PatronStorage

/// The writer's own commits stay fsync'd (`synchronous=FULL`) whatever background work ran on the
/// writer connection before them; ingest is acknowledged only after a sync of the log, and no
/// webhook about its events is sent before that.
struct DurabilityTests {
    static func ingest(_ store: SQLiteStore, messageIds: [String]) async throws {
        let events = messageIds.map { #"{"type":"track","event":"Viewed","userId":"u-\#($0)","messageId":"\#($0)"}"# }
        let body = Data(#"{"batch":[\#(events.joined(separator: ","))]}"#.utf8)
        let parsed = try SegmentRequest.parse(body: body, single: nil, receivedAt: Date())
        _ = try await store.ingest(IngestBatch(source: "web", accepted: parsed.accepted, rejected: []))
    }

    /// Processing goes ahead on events whose group commit is still being synced, but a webhook
    /// queued after that group committed (it may come from its events) is not sent before the sync.
    @Test func aWebhookQueuedAfterAGroupCommitNotYetSyncedWaitsForItsSync() async throws {
        let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
            .path
        let store = try SQLiteStore(path: path)
        _ = try await store.createDestination(name: "crm", url: "http://127.0.0.1:9/hook")
        try await Self.ingest(store, messageIds: ["a", "b"])
        let before = try await store.enqueueDelivery(toDestination: "crm", eventType: "test", payload: "{}")
        // As if a group with events committed now (the next delivery would be 2) and its sync still ran.
        store.unsynced.committing(nextDeliveryId: 2)
        let after = try await store.enqueueDelivery(toDestination: "crm", eventType: "test", payload: "{}")
        #expect(try await store.processPending().events == 2, "processing does not wait for the sync")
        let due = try await store.dueDeliveries(at: Date()).flatMap { $0.deliveries.map(\.delivery.webhookId) }
        #expect(due == [before.webhookId])
        let destination = try #require(try await store.dueDeliveries(at: Date()).first?.destination.id)
        let ofDestination = try await store.dueDeliveries(ofDestination: destination, at: Date())
        #expect(ofDestination?.deliveries.map(\.delivery.webhookId) == [before.webhookId])
        #expect(store.unsynced.allSynced(), "the reads held a delivery back: the deliverer is woken")
        let released = try await store.dueDeliveries(at: Date()).flatMap { $0.deliveries.map(\.delivery.webhookId) }
        #expect(released == [before.webhookId, after.webhookId])
        #expect(!store.unsynced.allSynced(), "nothing was held back since")
    }

    /// Syncs of the log held until a test releases them, oldest first.
    final class HeldSyncs: Sendable {
        let waiting = Mutex<[@Sendable (Result<Void, StoreError>) -> Void]>([])

        func sync(_ completion: @escaping @Sendable (Result<Void, StoreError>) -> Void) {
            waiting.withLock { $0.append(completion) }
        }

        /// Waits (up to 10 s) for a sync to be asked for, then ends it with `result`.
        func release(_ result: Result<Void, StoreError>) async throws {
            for _ in 0..<1_000 where waiting.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(10)) }
            let completion = try #require(waiting.withLock { $0.isEmpty ? nil : $0.removeFirst() })
            completion(result)
        }
    }

    /// Through the real ingest path: while a group's sync runs, its events are processed but a
    /// webhook queued after it is not sent; a failed sync releases nothing, the next successful one
    /// does.
    @Test func aWebhookWaitsForASuccessfulSyncOfTheLogBeforeIt() async throws {
        let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
            .path
        let syncs = HeldSyncs()
        let store = try SQLiteStore(path: path, syncLog: syncs.sync)
        _ = try await store.createDestination(name: "crm", url: "http://127.0.0.1:9/hook")
        let before = try await store.enqueueDelivery(toDestination: "crm", eventType: "test", payload: "{}")
        let first = Task { try await Self.ingest(store, messageIds: ["a"]) }
        while try await store.eventCount() == 0 { try await Task.sleep(for: .milliseconds(5)) }
        let after = try await store.enqueueDelivery(toDestination: "crm", eventType: "test", payload: "{}")
        #expect(try await store.processPending().events == 1, "processing does not wait for the sync")
        let due = { try await store.dueDeliveries(at: Date()).flatMap { $0.deliveries.map(\.delivery.webhookId) } }
        #expect(try await due() == [before.webhookId])
        try await syncs.release(.failure(StoreError(.unavailable, "the disk failed")))
        await #expect(throws: StoreError.self) { try await first.value }
        #expect(try await due() == [before.webhookId], "a failed sync releases nothing")
        let second = Task { try await Self.ingest(store, messageIds: ["b"]) }
        try await syncs.release(.success(()))
        try await second.value
        #expect(try await due() == [before.webhookId, after.webhookId])
    }

    /// A group commit notes itself before it commits and is forgotten once its sync succeeded; one
    /// of duplicates only holds nothing back.
    @Test func anAcknowledgedGroupHoldsNothingBack() async throws {
        let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
            .path
        let store = try SQLiteStore(path: path)
        try await Self.ingest(store, messageIds: ["a"])
        #expect(store.unsynced.deliveryIdLimit(newestDelivery: 0) == Int64.max)
        try await Self.ingest(store, messageIds: ["a"])  // a duplicate
        #expect(store.unsynced.deliveryIdLimit(newestDelivery: 0) == Int64.max)
    }

    /// The oldest group with events bounds the deliveries sent until a sync succeeds (groups left by
    /// failed syncs are still held then); a group that rolled back is forgotten.
    @Test func theOldestGroupWithEventsBoundsTheDeliveriesSent() {
        let unsynced = UnsyncedCommits()
        #expect(unsynced.deliveryIdLimit(newestDelivery: 5) == Int64.max)
        #expect(!unsynced.allSynced(), "nothing was held back")
        unsynced.committing(nextDeliveryId: nil)
        unsynced.committing(nextDeliveryId: 7)
        #expect(unsynced.deliveryIdLimit(newestDelivery: 6) == 7, "a group of duplicates only bounds nothing")
        unsynced.committing(nextDeliveryId: 5)
        unsynced.abandonLast()
        #expect(unsynced.deliveryIdLimit(newestDelivery: 6) == 7, "the group that rolled back bounds nothing")
        // A failed sync forgets nothing; the next group's successful sync covers both.
        unsynced.committing(nextDeliveryId: 9)
        #expect(unsynced.deliveryIdLimit(newestDelivery: 8) == 7)
        #expect(unsynced.allSynced(), "delivery 8 was held back")
        #expect(unsynced.deliveryIdLimit(newestDelivery: 8) == Int64.max)
        #expect(!unsynced.allSynced())
    }

    @Test func theSyncerSyncsTheStoresLogAndSaysWhichFileItCannotSync() async throws {
        let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
            .path
        let store = try SQLiteStore(path: path)
        try await Self.ingest(store, messageIds: ["a"])
        let synced = await withCheckedContinuation { continuation in
            WriteAheadLogSyncer(databasePath: store.path).afterSync { continuation.resume(returning: $0) }
        }
        #expect(throws: Never.self) { try synced.get() }
        let missing = await withCheckedContinuation { continuation in
            WriteAheadLogSyncer(databasePath: path + "-nowhere").afterSync { continuation.resume(returning: $0) }
        }
        #expect(throws: StoreError.self) { try missing.get() }
        if case .failure(let error) = missing {
            #expect(error.message.contains("\(path)-nowhere-wal"), "names the file: \(error.message)")
        }
    }

    @Test func ingestCommitsAreSynchronousFullFromTheFirstOne() async throws {
        let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
            .path
        let store = try SQLiteStore(path: path)
        let mode = try await store.writer.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(mode == 2, "2 is FULL (GRDB's WAL set-up leaves NORMAL)")
    }

    @Test func theWriterIsBackToSynchronousFullAfterProcessing() async throws {
        let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
            .path
        let store = try SQLiteStore(path: path)
        let body = Data(#"{"batch":[{"type":"identify","userId":"u1","messageId":"1","traits":{"a":1}}]}"#.utf8)
        let request = try SegmentRequest.parse(body: body, single: nil, receivedAt: Date())
        _ = try await store.ingest(IngestBatch(source: "web", accepted: request.accepted, rejected: []))
        #expect(try await store.processPending().events == 1)
        let mode = try await store.writer.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(mode == 2, "2 is FULL")
        let journal = try await store.writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
    }

    /// The log restarts' passes in the writer's turn, as reported by
    /// ``SQLiteStore/runCheckpoints(every:restartingLogAt:onLogRestart:)``.
    final class ReportedRestarts: Sendable {
        let passes = Mutex<[LogRestartPass]>([])
    }

    /// The log restarts when the background finds it past the restart size, not only when the
    /// writer's own safety net (``SQLiteStore/safetyNetMultiple`` times larger) would: under commits
    /// that follow one another with no pause, the log file, which keeps the largest size the log
    /// reached, stays below the safety net (it reached ~1,000 pages without the last pass in the
    /// writer's turn, 515–712 with it). Each restart's pass in the writer's turn is reported.
    @Test func backgroundCheckpointsRestartTheLogBeforeTheWritersSafetyNet() async throws {
        let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
            .path
        let store = try SQLiteStore(path: path)
        let restartPages = 250
        let restarts = ReportedRestarts()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await store.runCheckpoints(every: .milliseconds(1), restartingLogAt: restartPages) { restart in
                    restarts.passes.withLock { $0.append(restart) }
                }
            }
            // Sixteen clients at once, so that commits follow one another with no pause.
            try await withThrowingTaskGroup(of: Void.self) { clients in
                for client in 0..<16 {
                    clients.addTask {
                        for batch in 0..<80 {
                            try await Self.ingest(store, messageIds: (0..<25).map { "\(client)-\(batch)-\($0)" })
                        }
                    }
                }
                try await clients.waitForAll()
            }
            group.cancelAll()
            try await group.waitForAll()
        }
        #expect(try await store.eventCount() == 32_000)
        let framePages = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
        let pageSize = try await store.writer.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") } ?? 0
        let largestLogPages = framePages / (pageSize + 24)
        #expect(largestLogPages < SQLiteStore.safetyNetMultiple * restartPages)
        let reported = restarts.passes.withLock { $0 }
        #expect(!reported.isEmpty, "32,000 events make a log of many times 250 pages")
        #expect(
            reported.allSatisfy { $0.pages < restartPages },
            "the pass in the writer's turn copies only what came after the passes before it"
        )
    }

    @Test func backgroundCheckpointsKeepEveryCommitAndHandTheWriterBackItsThreshold() async throws {
        let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
            .path
        let store = try SQLiteStore(path: path)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.runCheckpoints(every: .milliseconds(1)) }
            try await withThrowingTaskGroup(of: Void.self) { requests in
                for request in 0..<20 {
                    requests.addTask {
                        let events = (0..<25).map { index in
                            #"{"type":"track","event":"Viewed","userId":"u\#(index)","messageId":"\#(request)-\#(index)"}"#
                        }
                        let body = Data(#"{"batch":[\#(events.joined(separator: ","))]}"#.utf8)
                        let parsed = try SegmentRequest.parse(body: body, single: nil, receivedAt: Date())
                        let outcome = try await store.ingest(
                            IngestBatch(source: "web", accepted: parsed.accepted, rejected: [])
                        )
                        #expect(outcome.stored == 25)
                    }
                }
                try await requests.waitForAll()
            }
            group.cancelAll()
            try await group.waitForAll()
        }
        #expect(try await store.eventCount() == 500)
        let threshold = try await store.writer.write { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") }
        #expect(threshold == SQLiteStore.automaticCheckpointPages)
        let mode = try await store.writer.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(mode == 2, "2 is FULL")
    }
}
