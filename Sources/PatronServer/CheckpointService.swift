public import Logging
public import PatronStorage
public import ServiceLifecycle

/// Runs the store's WAL checkpoints on a connection of their own until graceful shutdown, so that
/// no group commit (and no acknowledgement) waits for a checkpoint; see
/// ``PatronStorage/SQLiteStore/runCheckpoints(every:restartingLogAt:)``.
public struct CheckpointService: Service {
    let store: SQLiteStore
    let logger: Logger

    /// Creates the service.
    public init(store: SQLiteStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Checkpoints until graceful shutdown. If checkpoints fail, the writer is left to checkpoint by
    /// itself (SQLite's default) and the service waits for shutdown.
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await store.runCheckpoints() }
        } catch {
            logger.error("background WAL checkpoints stopped, the writer checkpoints by itself: \(error)")
            try? await gracefulShutdown()
        }
    }
}
