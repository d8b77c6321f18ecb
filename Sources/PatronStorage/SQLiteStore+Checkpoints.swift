import GRDB

extension SQLiteStore {
    /// The write-ahead log size, in pages, at which the writer checkpoints by itself (SQLite's default).
    static let automaticCheckpointPages = 1000

    /// The writer's automatic checkpoint threshold while ``runCheckpoints(every:)`` runs: the log
    /// restarts from its beginning (and so stops growing) only at a write transaction that finds
    /// it fully checkpointed, which a checkpoint on another connection never achieves under a
    /// steady stream of commits. So once in a while the writer still checkpoints, but only the
    /// frames committed since the last background checkpoint.
    ///
    /// The writer tries after every commit while the log is past this size, until the log restarts,
    /// and each checkpoint syncs the log and the database file on the writer's thread. At 4,000
    /// pages (about 0.2 s of log at 8,000 events/s of tracking) the process made 226 fdatasyncs
    /// and 85,000 writes a second; at 30,000 pages (about 1.3 s of log, a log file of up to
    /// ~125 MB) 142 and 75,000, with the same ingest throughput (BENCHMARKS.md §5).
    static let backgroundModeCheckpointPages = 30_000

    /// Copies the write-ahead log back into the database file on a connection of its own, every
    /// `interval`, until the task is cancelled, so that no commit waits for a checkpoint.
    ///
    /// By default the commit that grows the log past 1,000 pages runs the checkpoint itself: it
    /// copies the log into the database file and fsyncs it on the one writer connection, and every
    /// group commit queued behind it waits (the p99 tail of ingest). While this runs, a passive
    /// checkpoint, which never blocks the writer or the readers, runs on another connection (and
    /// so on another core), and the writer checkpoints only every
    /// ``backgroundModeCheckpointPages`` pages, copying just what was committed since the last
    /// background checkpoint. Durability does not depend on checkpoints: a commit is durable once
    /// its log frames are fsynced. When this returns, normally or by throwing, the writer
    /// checkpoints by itself again at SQLite's default threshold.
    /// - Parameter interval: the pause between two checkpoints.
    /// - Throws: ``StoreError`` with code `.unavailable` when the checkpoint connection cannot be
    ///   opened or a checkpoint fails.
    public func runCheckpoints(every interval: Duration = .milliseconds(20)) async throws(StoreError) {
        let checkpointer: DatabaseQueue
        do {
            var configuration = Configuration()
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            configuration.busyMode = .timeout(10)
            checkpointer = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw StoreError(.unavailable, "cannot open the checkpoint connection: \(error)", underlying: error)
        }
        try await setAutomaticCheckpoints(pages: Self.backgroundModeCheckpointPages)
        var failure: (any Error)?
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                break
            }
            do {
                _ = try await checkpointer.writeWithoutTransaction { db in try db.checkpoint(.passive) }
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
