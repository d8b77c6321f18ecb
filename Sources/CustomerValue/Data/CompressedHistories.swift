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
    /// The distinct ages T (real data have few: one per first-purchase day).
    public let distinctAges: [Double]
    /// For each row, the index of its age in ``distinctAges``.
    public let ageSlot: [Int]
    /// The distinct recencies t_x.
    public let distinctRecencies: [Double]
    /// For each row, the index of its recency in ``distinctRecencies``.
    public let recencySlot: [Int]

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
        (distinctAges, ageSlot) = Self.slots(of: rows.map(\.age))
        (distinctRecencies, recencySlot) = Self.slots(of: rows.map(\.recency))
    }

    /// The distinct values of `values` and, for each value, its index among them.
    private static func slots(of values: [Double]) -> ([Double], [Int]) {
        var index: [Double: Int] = [:]
        var distinct: [Double] = []
        let slots = values.map { value in
            if let slot = index[value] { return slot }
            index[value] = distinct.count
            distinct.append(value)
            return distinct.count - 1
        }
        return (distinct, slots)
    }

    /// The number of customers (sum of counts).
    public var customerCount: Double { counts.reduce(0, +) }

    /// Σ count · x, the number of repeat purchases.
    public var totalRepeatPurchases: Double {
        zip(rows, counts).reduce(0) { $0 + Double($1.0.frequency) * $1.1 }
    }

    /// The same data with all times divided by `factor` (same row order and slots).
    public func rescaled(by factor: Double) -> Self {
        Self(
            rows: rows.map { $0.rescaled(by: factor) },
            counts: counts,
            distinctFrequencies: distinctFrequencies,
            frequencySlot: frequencySlot,
            distinctAges: distinctAges.map { $0 / factor },
            ageSlot: ageSlot,
            distinctRecencies: distinctRecencies.map { $0 / factor },
            recencySlot: recencySlot
        )
    }

    private init(
        rows: [PurchaseHistory],
        counts: [Double],
        distinctFrequencies: [Int],
        frequencySlot: [Int],
        distinctAges: [Double],
        ageSlot: [Int],
        distinctRecencies: [Double],
        recencySlot: [Int]
    ) {
        self.rows = rows
        self.counts = counts
        self.distinctFrequencies = distinctFrequencies
        self.frequencySlot = frequencySlot
        self.distinctAges = distinctAges
        self.ageSlot = ageSlot
        self.distinctRecencies = distinctRecencies
        self.recencySlot = recencySlot
    }

    /// The largest age T.
    public var maximumAge: Double { rows.reduce(0) { Swift.max($0, $1.age) } }
}
