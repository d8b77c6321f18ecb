import GRDB

extension SQLiteStore {
    /// The write-ahead log size, in pages, at which the writer checkpoints by itself (SQLite's default).
    static let automaticCheckpointPages = 1000

    /// The log size, in pages, past which ``runCheckpoints(every:restartingLogAt:onLogRestart:)`` restarts the log: the log
    /// goes back to its beginning (and so stops growing) only at a write transaction that finds it
    /// fully copied into the database file, which a checkpoint on another connection never achieves
    /// under a steady stream of commits. About 1 s of log at 8,000 events/s of tracking, a log file
    /// of up to ~125 MB; a longer log makes every page lookup slower (BENCHMARKS.md §5).
    public static let logRestartPages = 30_000

    /// The writer's automatic checkpoint threshold while ``runCheckpoints(every:restartingLogAt:onLogRestart:)``
    /// runs, as a multiple of the restart size: a safety net for a log the background could not
    /// restart (a reader holding an old snapshot).
    static let safetyNetMultiple = 4

    /// A catch-up pass that copies no more than this many pages is the last one before the
    /// writer's turn: about 5 ms of log at 10,000 events/s.
    static let catchUpPages = 200

    /// How many times per log cycle (`restartPages` of log) the database file is synced in the
    /// background (``DatabaseFileFlusher``), so that the log restart's pass in the writer's turn has
    /// about one such share of a cycle's pages left to flush. At 10,000 events/s that pass took 7.0
    /// and 7.6 ms (median; max 21–22) with 12, against 9.5 and 11.0 (max 33–64) with 4, with passes
    /// every 20 ms. A flush is requested at most once per pass: with `patron serve`'s passes every
    /// 200 ms, about 4 per cycle at 10,000 events/s; the restart then waits for one more, off the
    /// writer, before its last passes (``DatabaseFileFlusher/flushAndWait()``).
    static let flushesPerCycle = 12

    /// At most this many catch-up passes run before the writer's turn, converged or not.
    static let catchUpPassLimit = 4

    /// Copies the write-ahead log back into the database file on a connection of its own, every
    /// `interval`, until the task is cancelled, so that commits wait for checkpoints as little as
    /// possible, and restarts the log when it is past `restartPages`.
    ///
    /// By default the commit that grows the log past 1,000 pages runs the checkpoint itself: it
    /// copies the log into the database file and fsyncs it on the one writer connection, and every
    /// group commit queued behind it waits (the p99 tail of ingest). While this runs, a passive
    /// checkpoint, which never blocks the writer or the readers, runs on another connection (and
    /// so on another core). Once the log is past `restartPages`, passes follow one another
    /// until one copies no more than ``catchUpPages`` (what was committed during the previous one),
    /// the database file is synced off the writer and one more pass copies what was committed
    /// meanwhile, and a last pass runs in the writer's turn, so that nothing commits between it and
    /// the next write transaction, which restarts the log: the writer waits for a few milliseconds
    /// of log to be copied and synced, the database file's sync covering only the pages of the last
    /// two passes (it is also synced in the background ``flushesPerCycle`` times per cycle), rather
    /// than for everything since the last background pass (when the writer restarted the log by
    /// itself, 10–26 ms syncs of the database file on its thread every ~0.7 s at 10,000 events/s).
    /// Durability does not depend on checkpoints: a commit is durable once its log frames are
    /// fsynced. When this returns, normally or by throwing, the writer checkpoints by itself again
    /// at SQLite's default threshold.
    /// - Parameters:
    ///   - interval: the pause between two checkpoints.
    ///   - restartPages: the log size, in pages, at which the log is restarted (default
    ///     ``logRestartPages``); the writer checkpoints by itself only past ``safetyNetMultiple``
    ///     times this.
    ///   - onLogRestart: called after each pass in the writer's turn, with how long it held the
    ///     writer and how many pages it copied.
    /// - Throws: ``StoreError`` with code `.unavailable` when the checkpoint connection cannot be
    ///   opened or a checkpoint fails.
    public func runCheckpoints(
        every interval: Duration = .milliseconds(20),
        restartingLogAt restartPages: Int = logRestartPages,
        onLogRestart: @escaping @Sendable (LogRestartPass) -> Void = { _ in }
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
        let flusher = DatabaseFileFlusher(path: path)
        // The log's size, in pages, at the last flush requested (0 once the log restarted).
        var flushedAt = 0
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
                if pass.walFrameCount < flushedAt { flushedAt = 0 }
                if pass.walFrameCount - flushedAt >= restartPages / Self.flushesPerCycle {
                    flusher.flush()
                    flushedAt = pass.walFrameCount
                }
                guard pass.walFrameCount >= restartPages else { continue }
                // Catch up with the writer: each pass copies what was committed during the one before.
                for _ in 0..<Self.catchUpPassLimit {
                    let copiedBefore = pass.checkpointedFrameCount
                    pass = try await checkpointer.writeWithoutTransaction { db in try db.checkpoint(.passive) }
                    if pass.checkpointedFrameCount - copiedBefore <= Self.catchUpPages { break }
                }
                // What the passes copied synced off the writer; then what was committed meanwhile.
                await flusher.flushAndWait()
                pass = try await checkpointer.writeWithoutTransaction { db in try db.checkpoint(.passive) }
                // The last pass in the writer's turn: the next write transaction restarts the log.
                let before = pass
                let restart = try await writer.writeWithoutTransaction { db in
                    let started = ContinuousClock.now
                    let last = try db.checkpoint(.passive)
                    // A log shorter than before was restarted by a commit since the pass before (that
                    // pass had left nothing): this one copied the new log's pages.
                    let restarted = last.walFrameCount < before.walFrameCount
                    return LogRestartPass(
                        duration: ContinuousClock.now - started,
                        pages: last.checkpointedFrameCount - (restarted ? 0 : before.checkpointedFrameCount)
                    )
                }
                onLogRestart(restart)
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
