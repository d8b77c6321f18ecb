import Foundation
import GRDB

extension SQLiteStore {
    /// The write-ahead log size, in pages, at which the writer checkpoints by itself (SQLite's default).
    static let automaticCheckpointPages = 1000

    /// The log size, in pages, past which ``runCheckpoints(every:restartingLogAt:)`` restarts the log: the log
    /// goes back to its beginning (and so stops growing) only at a write transaction that finds it
    /// fully copied into the database file, which a checkpoint on another connection never achieves
    /// under a steady stream of commits. About 1 s of log at 8,000 events/s of tracking, a log file
    /// of up to ~125 MB; a longer log makes every page lookup slower (BENCHMARKS.md §5).
    public static let logRestartPages = 30_000

    /// The writer's automatic checkpoint threshold while ``runCheckpoints(every:restartingLogAt:)``
    /// runs, as a multiple of the restart size: a safety net for a log the background could not
    /// restart (a reader holding an old snapshot).
    static let safetyNetMultiple = 4

    /// A catch-up round that copies no more than this many pages is the last one before the
    /// writer's turn: about 5 ms of log at 10,000 events/s.
    static let catchUpPages = 200

    /// At most this many catch-up rounds (a sync of the database file, then a pass) run before the
    /// writer's turn, converged or not.
    static let catchUpPassLimit = 4

    /// Copies the write-ahead log back into the database file on a connection of its own, every
    /// `interval`, until the task is cancelled, so that commits wait for checkpoints as little as
    /// possible, and restarts the log when it is past `restartPages`.
    ///
    /// By default the commit that grows the log past 1,000 pages runs the checkpoint itself: it
    /// copies the log into the database file and fsyncs it on the one writer connection, and every
    /// group commit queued behind it waits (the p99 tail of ingest). While this runs, a passive
    /// checkpoint, which never blocks the writer or the readers, runs on another connection (and
    /// so on another core). Once the log is past `restartPages`, rounds follow one another, each a
    /// sync of the database file (what the passes before it copied) and a pass (what was committed
    /// meanwhile), until one copies no more than ``catchUpPages``, and a last pass runs in the
    /// writer's turn, so that nothing commits between it and the next write transaction, which
    /// restarts the log. That pass syncs the database file too, which the rounds' syncs leave with
    /// little to flush: at 10,000 events/s the writer waits 3–26 ms (median 10) for it every ~0.7 s,
    /// against 1–61 ms (median 15) without them, when it flushed every page copied since the last
    /// sync (and 10–26 ms syncs on its thread when the writer restarted the log by itself, before
    /// this service). Durability does not depend on checkpoints: a commit is durable
    /// once its log frames are fsynced. When this returns, normally or by throwing, the writer
    /// checkpoints by itself again at SQLite's default threshold.
    /// - Parameters:
    ///   - interval: the pause between two checkpoints.
    ///   - restartPages: the log size, in pages, at which the log is restarted (default
    ///     ``logRestartPages``); the writer checkpoints by itself only past ``safetyNetMultiple``
    ///     times this.
    /// - Throws: ``StoreError`` with code `.unavailable` when the checkpoint connection cannot be
    ///   opened or a checkpoint fails.
    public func runCheckpoints(
        every interval: Duration = .milliseconds(20),
        restartingLogAt restartPages: Int = logRestartPages
    ) async throws(StoreError) {
        let checkpointer: DatabaseQueue
        do {
            var configuration = Configuration()
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            configuration.busyMode = .timeout(10)
            checkpointer = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw StoreError(.unavailable, "cannot open the checkpoint connection: \(error)", underlying: error)
        }
        // Opened read-only to sync the database file (any descriptor of it flushes its pages).
        let databaseFile = FileHandle(forReadingAtPath: path)
        defer { try? databaseFile?.close() }
        try await setAutomaticCheckpoints(pages: Self.safetyNetMultiple * restartPages)
        var failure: (any Error)?
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                break
            }
            do {
                var pass = try await checkpointer.writeWithoutTransaction { db in try db.checkpoint(.passive) }
                guard pass.walFrameCount >= restartPages else { continue }
                // Catch up with the writer: each round flushes what the passes before it copied into the
                // database file and copies what was committed meanwhile, until a round copies little.
                // The last pass syncs the database file, which flushes every page copied since the last
                // sync: 10–60 ms in the writer's turn at 10,000 events/s when nothing was flushed before.
                for _ in 0..<Self.catchUpPassLimit {
                    let copiedBefore = pass.checkpointedFrameCount
                    try await checkpointer.writeWithoutTransaction { _ in try databaseFile?.synchronize() }
                    pass = try await checkpointer.writeWithoutTransaction { db in try db.checkpoint(.passive) }
                    if pass.checkpointedFrameCount - copiedBefore <= Self.catchUpPages { break }
                }
                // The last pass in the writer's turn: the next write transaction restarts the log.
                _ = try await writer.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                // The writer is running one of its own checkpoints: this one is skipped.
                continue
            } catch {
                // Cancelled mid-checkpoint (shutdown): stop like after a sleep.
                if !Task.isCancelled { failure = error }
                break
            }
        }
        try await setAutomaticCheckpoints(pages: Self.automaticCheckpointPages)
        try? checkpointer.close()
        if let failure {
            throw StoreError(.unavailable, "a checkpoint failed: \(failure)", underlying: failure)
        }
    }

    /// Sets the writer's automatic checkpoint threshold (0 turns automatic checkpoints off). Runs
    /// even when the task is cancelled: the threshold must be restored when checkpoints stop.
    private func setAutomaticCheckpoints(pages: Int) async throws(StoreError) {
        let result = await withCheckedContinuation { continuation in
            writer.asyncWriteWithoutTransaction { db in
                continuation.resume(returning: Result { try db.execute(sql: "PRAGMA wal_autocheckpoint = \(pages)") })
            }
        }
        if case .failure(let error) = result {
            throw StoreError(.unavailable, "could not set wal_autocheckpoint: \(error)", underlying: error)
        }
    }
}
