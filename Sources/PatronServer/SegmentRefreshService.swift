public import Logging
import PatronSegments
public import PatronStorage
public import ServiceLifecycle

/// Re-evaluates segments over every customer on a schedule (`patron serve
/// --segment-refresh-every`), so that time-relative conditions take effect without a new event:
/// customers leave "ordered in the last 30 days" when the window passes, and "added to cart and
/// not ordered within 1 h" is entered an hour after the cart. Entries and exits fire their triggers.
///
/// A refresh backfills only the segments that time alone can change (and those that refer to
/// them): new events and scores already re-evaluate their customers in real time. The first
/// refresh after a start and then every `fullRefreshEvery`-th backfill every segment, which also
/// catches changes made outside the server (a CSV import of customers with `--no-segments`, another
/// process's processing) and customers whose real-time evaluation a crash interrupted.
public struct SegmentRefreshService: Service {
    let store: SQLiteStore
    let interval: Duration
    let logger: Logger

    let fullRefreshEvery: Int

    /// Creates the service.
    /// - Parameter fullRefreshEvery: one refresh in this many backfills every segment (default 60:
    ///   hourly at the default 1-minute interval).
    public init(store: SQLiteStore, interval: Duration, fullRefreshEvery: Int = 60, logger: Logger) {
        self.store = store
        self.interval = interval
        self.fullRefreshEvery = max(1, fullRefreshEvery)
        self.logger = logger
    }

    /// Waits `interval`, backfills the segments due, and repeats; a failed refresh is logged.
    public func run() async throws {
        var refreshes = 0
        await RepeatingSchedule.run(every: interval) {
            refreshes += 1
            // The first refresh after a start is a full one: it also repairs what a crash left unevaluated.
            let full = (refreshes - 1) % fullRefreshEvery == 0
            do {
                let changes = try await store.backfillSegments(timeDependentOnly: !full)
                let moves = changes.entriesAndExits
                if moves > 0 {
                    logger.info(
                        "segment refresh\(full ? " (all segments)" : ""): \(moves) entries and exits in \(changes.count) segments"
                    )
                }
            } catch {
                // Cancelled (shutdown) mid-refresh: the next start refreshes every segment.
                if Task.isCancelled { return }
                logger.error("segment refresh failed, memberships kept: \(error)")
            }
        }
    }
}
