/// Unique ``PurchaseHistory`` rows with the number of customers sharing each, the form every
/// continuous-time model is fitted on. Rows are sorted by frequency so that terms depending only
/// on x are computed once per distinct x.
public struct CompressedHistories: Sendable {
    /// The unique rows, sorted by frequency.
    public let rows: [PurchaseHistory]
    /// The number of customers with each row.
    public let counts: [Double]
    /// The distinct frequencies, ascending.
    public let distinctFrequencies: [Int]
    /// For each row, the index of its frequency in ``distinctFrequencies``.
    public let frequencySlot: [Int]

    /// Compresses individual histories (one per customer).
    public init(_ histories: some Sequence<PurchaseHistory>) {
        var counts: [PurchaseHistory: Double] = [:]
        for history in histories { counts[history, default: 0] += 1 }
        self.init(counts: counts)
    }

    /// Builds from rows that already carry a count (e.g. a `weights` column).
    public init(rows: [PurchaseHistory], counts rowCounts: [Double]) {
        var counts: [PurchaseHistory: Double] = [:]
        for (row, count) in zip(rows, rowCounts) { counts[row, default: 0] += count }
        self.init(counts: counts)
    }

    private init(counts: [PurchaseHistory: Double]) {
        let sorted = counts.sorted {
            ($0.key.frequency, $0.key.recency, $0.key.age) < ($1.key.frequency, $1.key.recency, $1.key.age)
        }
        rows = sorted.map(\.key)
        self.counts = sorted.map(\.value)
        var distinct: [Int] = []
        var slots: [Int] = []
        slots.reserveCapacity(rows.count)
        for row in rows {
            if distinct.last != row.frequency { distinct.append(row.frequency) }
            slots.append(distinct.count - 1)
        }
        distinctFrequencies = distinct
        frequencySlot = slots
    }

    /// The number of customers (sum of counts).
    public var customerCount: Double { counts.reduce(0, +) }

    /// Σ count · x, the number of repeat purchases.
    public var totalRepeatPurchases: Double {
        zip(rows, counts).reduce(0) { $0 + Double($1.0.frequency) * $1.1 }
    }

    /// The same data with all times divided by `factor`.
    public func rescaled(by factor: Double) -> Self {
        Self(rows: rows.map { $0.rescaled(by: factor) }, counts: counts)
    }

    /// The largest age T.
    public var maximumAge: Double { rows.reduce(0) { Swift.max($0, $1.age) } }
}
