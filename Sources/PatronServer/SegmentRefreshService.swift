import Foundation
public import Logging
import PatronSegments
public import PatronStorage
public import ServiceLifecycle

/// Re-evaluates segments on a schedule (`patron serve --segment-refresh-every`), so that
/// time-relative conditions take effect without a new event: customers leave "ordered in the last
/// 30 days" when the window passes, and "added to cart and not ordered within 1 h" is entered an
/// hour after the cart. Entries and exits fire their triggers.
///
/// A scheduled refresh re-evaluates only the customers whose stored times crossed a window's edge
/// since the previous one (``SQLiteStore/refreshSegments(passedSince:at:)``): new events and scores
/// already re-evaluate their customers in real time. A full refresh, which re-evaluates every
/// segment for every customer (``SQLiteStore/refreshEverySegment(at:busyShare:groupSize:)``), runs at start and then every `fullRefreshInterval`: it catches changes made
/// outside the server (a CSV import of customers with `--no-segments`, another process's
/// processing), customers whose real-time evaluation a crash interrupted, and what time changed
/// while the server was stopped.
public struct SegmentRefreshService: Service {
    let store: SQLiteStore
    let interval: Duration
    let fullRefreshInterval: Duration?
    let logger: Logger

    /// Creates the service.
    /// - Parameter fullRefreshInterval: how often, after the one at start, a refresh re-evaluates
    ///   every customer (default an hour); `nil` for at start only.
    public init(
        store: SQLiteStore,
        interval: Duration,
        fullRefreshInterval: Duration? = .seconds(3600),
        logger: Logger
    ) {
        self.store = store
        self.interval = interval
        self.fullRefreshInterval = fullRefreshInterval
        self.logger = logger
    }

    /// Refreshes every segment at once, then every `interval` what time changed (every segment
    /// again once `fullRefreshInterval` has passed since the last full one), until shutdown; a
    /// failed refresh is logged, and the next one covers its time.
    public func run() async throws {
        let clock = ContinuousClock()
        var lastFull = clock.now
        var previous = await refresh(since: nil)
        await RepeatingSchedule.run(every: interval) {
            let full = fullRefreshInterval.map { clock.now - lastFull >= $0 } ?? false
            if full { lastFull = clock.now }
            previous = await refresh(since: full ? nil : previous) ?? previous
        }
    }

    /// The share of one core a full refresh keeps busy (``SQLiteStore/refreshEverySegment(at:busyShare:groupSize:)``):
    /// at 80,000 customers and 100 segments it needs ~3 s of a core, which at full speed would take
    /// that from the events processed meanwhile.
    static let fullRefreshBusyShare = 0.25

    /// One refresh at the current time: of what time changed since `start`, or of every segment
    /// when `start` is `nil`.
    /// - Returns: the time the refresh brought the memberships up to at least (the time it started:
    ///   its evaluations are all at that time or later), or `nil` when it failed.
    private func refresh(since start: Date?) async -> Date? {
        let time = Date()
        do {
            let changes =
                if let start {
                    try await store.refreshSegments(passedSince: start)
                } else {
                    try await store.refreshEverySegment(busyShare: Self.fullRefreshBusyShare)
                }
            let moves = changes.entriesAndExits
            if moves > 0 {
                logger.info(
                    "segment refresh\(start == nil ? " (all segments)" : ""): \(moves) entries and exits in \(changes.count) segments"
                )
            }
            return time
        } catch {
            // Cancelled (shutdown) mid-refresh: the next start refreshes every segment.
            if !Task.isCancelled { logger.error("segment refresh failed, memberships kept: \(error)") }
            return nil
        }
    }
}
