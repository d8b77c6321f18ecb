public import Logging
import PatronInsights
import PatronSegments
public import PatronStorage
public import ServiceLifecycle

/// Refits the value models on the store and re-scores every customer on a schedule (`patron serve
/// --refit-every`), until graceful shutdown, then re-evaluates every segment (scores changed). The
/// first refit runs one interval after start.
public struct RefitService: Service {
    let store: SQLiteStore
    let interval: Duration
    let logger: Logger

    /// Creates the service.
    public init(store: SQLiteStore, interval: Duration, logger: Logger) {
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    /// Waits `interval`, refits, and repeats; a failed refit is logged and the active version kept.
    public func run() async throws {
        await RepeatingSchedule.run(every: interval) {
            do {
                let outcome = try await ValueModelFitter(store: store).fit(StoreFitOptions())
                logger.info(
                    "scheduled refit: model version \(outcome.version.id) (\(outcome.version.purchaseModel)), \(outcome.customersScored) customers scored"
                )
                // Scores changed for everyone: segments on scores (and their triggers) follow.
                _ = try await store.refreshEverySegment()
            } catch {
                // Cancelled (shutdown) mid-refit: the active version stays, nothing to report.
                if Task.isCancelled { return }
                logger.error("scheduled refit failed, the active model version is kept: \(error)")
            }
        }
    }
}
