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
        self.init(weighted: histories.lazy.map { ($0, 1) })
    }

    /// Builds from rows that already carry a count (e.g. a `weights` column).
    public init(rows: [PurchaseHistory], counts rowCounts: [Double]) {
        self.init(weighted: zip(rows, rowCounts))
    }

    private init(weighted: some Sequence<(PurchaseHistory, Double)>) {
        var index = RowIndex(expectedCount: 1024)
        var unique: [PurchaseHistory] = []
        var totals: [Double] = []
        for (history, count) in weighted {
            let slot = index.slot(for: history.indexKey)
            if slot == unique.count {
                unique.append(history)
                totals.append(count)
            } else {
                totals[slot] += count
            }
        }
        let order = unique.indices.sorted {
            let (a, b) = (unique[$0], unique[$1])
            return (a.frequency, a.recency, a.age) < (b.frequency, b.recency, b.age)
        }
        rows = order.map { unique[$0] }
        counts = order.map { totals[$0] }
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
        var index = RowIndex(expectedCount: 256)
        var distinct: [Double] = []
        let slots = values.map { value in
            let slot = index.slot(for: ((value + 0).bitPattern, 0, 0))
            if slot == distinct.count { distinct.append(value) }
            return slot
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

    /// Throws unless some customer made a repeat purchase (without one no purchase rate can be estimated).
    func requireRepeatPurchases(for model: String) throws(CustomerValueError) {
        guard customerCount > 0 else { throw CustomerValueError(.invalidData, "no customers to fit \(model) on") }
        guard totalRepeatPurchases > 0 else {
            throw CustomerValueError(
                .invalidData,
                "none of the \(Int(customerCount)) customers made a repeat purchase, so \(model) cannot estimate a purchase rate"
            )
        }
    }

    /// The largest age T.
    public var maximumAge: Double { rows.reduce(0) { Swift.max($0, $1.age) } }
}
