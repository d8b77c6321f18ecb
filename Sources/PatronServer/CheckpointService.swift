public import Logging
public import PatronStorage
import Prometheus
public import ServiceLifecycle

/// Runs the store's WAL checkpoints on a connection of their own until graceful shutdown, so that
/// no group commit (and no acknowledgement) waits for a checkpoint; see
/// ``PatronStorage/SQLiteStore/runCheckpoints(every:restartingLogAt:onLogRestart:)``.
public struct CheckpointService: Service {
    let store: SQLiteStore
    let metrics: ServerMetrics
    let logger: Logger
    let restartPages: Int

    /// Creates the service; each log restart's pass in the writer's turn is timed in `metrics`.
    /// - Parameter restartPages: the log size, in pages, at which the log is restarted.
    public init(
        store: SQLiteStore,
        metrics: ServerMetrics,
        logger: Logger,
        restartingLogAt restartPages: Int = SQLiteStore.logRestartPages
    ) {
        self.store = store
        self.metrics = metrics
        self.logger = logger
        self.restartPages = restartPages
    }

    /// The pause between two background checkpoint passes. Each pass copies the log written since
    /// the one before into the database file (a page written several times meanwhile is copied
    /// once) and may request a background sync of it, on the disk whose syncs of the log every
    /// acknowledgement waits for. At 10,000 events/s, passes every 20 ms (~1,000 pages each, and a
    /// sync of the database file requested every ~2,500) kept some task waiting for the disk 19–20 %
    /// of the time against 15–16 % with 200 ms, and the webhook latency's p99 at 91–196 ms against
    /// 91–114 ms in runs alternated on the same machine (BENCHMARKS.md §5). Past the restart size,
    /// passes follow one another without this pause, and the database file is synced off the
    /// writer just before the last background pass, so that the restart's pass in the writer's turn
    /// syncs only what that pass and its own copied, however often background syncs ran
    /// (BENCHMARKS.md §5).
    static let interval: Duration = .milliseconds(200)

    /// Checkpoints until graceful shutdown. If checkpoints fail, the writer is left to checkpoint by
    /// itself (SQLite's default) and the service waits for shutdown.
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await store.runCheckpoints(every: Self.interval, restartingLogAt: restartPages) {
                    [metrics] restart in
                    metrics.logRestartPassDuration.record(restart.duration)
                }
            }
        } catch {
            logger.error("background WAL checkpoints stopped, the writer checkpoints by itself: \(error)")
            try? await gracefulShutdown()
        }
    }
}
