public import Logging
import PatronSegments
public import PatronStorage
public import ServiceLifecycle

/// Re-evaluates every segment over every customer on a schedule (`patron serve
/// --segment-refresh-every`), so that time-relative conditions take effect without a new event:
/// customers leave "ordered in the last 30 days" when the window passes, and "added to cart and
/// not ordered within 1 h" is entered an hour after the cart. Entries and exits fire their triggers.
public struct SegmentRefreshService: Service {
    let store: SQLiteStore
    let interval: Duration
    let logger: Logger

    /// Creates the service.
    public init(store: SQLiteStore, interval: Duration, logger: Logger) {
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    /// Waits `interval`, backfills every segment, and repeats; a failed refresh is logged.
    public func run() async throws {
        await RepeatingSchedule.run(every: interval) {
            do {
                let changes = try await store.backfillSegments()
                let moves = changes.values.reduce(0) { $0 + $1.entered.count + $1.exited.count }
                if moves > 0 { logger.info("segment refresh: \(moves) entries and exits in \(changes.count) segments") }
            } catch {
                logger.error("segment refresh failed, memberships kept: \(error)")
            }
        }
    }
}
