import CustomerValue
public import PatronStorage

/// The customer base's value at one snapshot and what changed since the previous one.
public struct TrendPoint: Sendable, Hashable, Codable {
    /// The as-of day, `YYYY-MM-DD`.
    public var asOf: String
    /// The model version fitted on the data up to that day.
    public var modelVersionId: Int64
    /// Customers valued.
    public var customers: Int
    /// Σ discounted 3-year CLV.
    public var totalValue: Double
    /// Changes since the previous snapshot (`nil` for the first).
    public var sincePrevious: SnapshotTransition?
}

/// How customer-base value moves over time, from the stored snapshots.
public struct TrendReport: Sendable, Hashable, Codable {
    /// How the figures are defined.
    public var conventions: String
    /// One point per snapshot, oldest first.
    public var points: [TrendPoint]

    /// The conventions sentence.
    public static let conventions =
        "Each snapshot values every customer as of its day with a model fitted only on data up to that day. "
        + "Total value = Σ 3-year discounted CLV; new-customer value = value of customers first seen since the "
        + "previous snapshot; churned = likely active (P(alive) ≥ 0.5) before and not after, valued before; "
        + "value at risk = value before of decile 8–10 customers whose P(alive) fell by 0.1 or more; tier moves "
        + "count customers by tier before → after."

    /// Builds the report from the store's snapshots.
    /// - Throws: ``InsightsError`` `.insufficientData` without snapshots.
    public static func build(store: SQLiteStore) async throws(InsightsError) -> TrendReport {
        try await InsightsError.wrapping {
            let snapshots = try await store.snapshots()
            guard !snapshots.isEmpty else {
                throw InsightsError(
                    .insufficientData,
                    "no value snapshots yet: run `patron snapshot --backfill monthly`"
                )
            }
            var points: [TrendPoint] = []
            for (index, snapshot) in snapshots.enumerated() {
                let transition =
                    index == 0
                    ? nil : try await store.snapshotTransition(from: snapshots[index - 1].id, to: snapshot.id)
                points.append(
                    TrendPoint(
                        asOf: DayText.text(snapshot.asOfDay),
                        modelVersionId: snapshot.modelVersionId,
                        customers: snapshot.customers,
                        totalValue: snapshot.lifetimeValue3Years,
                        sincePrevious: transition
                    )
                )
            }
            return TrendReport(conventions: conventions, points: points)
        }
    }
}

/// Values the customer base as of past days: one fit and snapshot per day, each on the data up to
/// that day only.
public struct SnapshotBackfill: Sendable {
    let store: SQLiteStore

    /// Creates a backfill over `store`.
    public init(store: SQLiteStore) { self.store = store }

    /// The last day of every month from the first purchase's month to the month of `lastDay`
    /// (inclusive), ending with `lastDay` itself when it is not a month end.
    public static func monthEnds(from firstDay: Int, to lastDay: Int) -> [Int] {
        var (year, month, _) = CalendarDate(dayNumber: firstDay).components
        var days: [Int] = []
        while true {
            let end = CalendarDate(year: year, month: month, day: CalendarDate.daysInMonth(year: year, month: month))!
            if end.dayNumber >= lastDay {
                days.append(lastDay)
                return days
            }
            days.append(end.dayNumber)
            (year, month) = month == 12 ? (year + 1, 1) : (year, month + 1)
        }
    }

    /// Snapshots as of each of `days` (skipping days with too little data, reported as warnings).
    /// - Returns: the snapshots written and the days skipped with why.
    public func run(
        days: [Int],
        options: StoreFitOptions,
        progress: @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws(InsightsError) -> (written: [Int64], skipped: [String]) {
        var written: [Int64] = []
        var skipped: [String] = []
        for (index, day) in days.enumerated() {
            progress(index, days.count)
            var dayOptions = options
            dayOptions.asOfDay = day
            dayOptions.activate = false
            dayOptions.score = false
            dayOptions.snapshot = true
            do {
                if let id = try await ValueModelFitter(store: store).fit(dayOptions).snapshotId { written.append(id) }
            } catch  where error.code == .insufficientData || error.code == .fitFailed || error.code == .invalidOption {
                skipped.append("\(CalendarDate(dayNumber: day)): \(error)")
            }
        }
        progress(days.count, days.count)
        return (written, skipped)
    }
}
