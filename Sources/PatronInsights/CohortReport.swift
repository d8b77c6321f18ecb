public import PatronStorage

/// One acquisition cohort's months.
public struct Cohort: Sendable, Hashable, Codable {
    /// The month of the first purchase, `YYYY-MM`.
    public var month: String
    /// Customers acquired (first purchase in that month).
    public var customers: Int
    /// Mean current 3-year CLV per customer of the cohort, when scored.
    public var predictedValuePerCustomer: Double?
    /// Month 0, 1, 2, … since acquisition, up to the latest data.
    public var periods: [CohortPeriod]
}

/// A cohort in one month since acquisition.
public struct CohortPeriod: Sendable, Hashable, Codable {
    /// Months since the acquisition month.
    public var period: Int
    /// Share of the cohort that bought in the month.
    public var activeShare: Double
    /// Revenue in the month.
    public var revenue: Double
    /// Revenue in the month relative to the acquisition month's.
    public var revenueRetained: Double
    /// Revenue from month 0 to this one per customer of the cohort.
    public var cumulativeRevenuePerCustomer: Double
}

/// The acquisition-cohort table: cohort month × months since acquisition.
public struct CohortReport: Sendable, Hashable, Codable {
    /// How the table is made.
    public var conventions: String
    /// Cohorts, oldest first.
    public var cohorts: [Cohort]

    /// The conventions sentence.
    public static let conventions =
        "Cohort = calendar month (UTC) of a customer's first purchase; period n = the n-th calendar month after it. "
        + "Active = bought in the period; revenue is net of refunds (orders refunded in full do not count); "
        + "predicted value = mean 3-year CLV of the cohort's scored customers (active model version)."

    /// Builds the report from the store.
    public static func build(store: SQLiteStore) async throws(InsightsError) -> CohortReport {
        try await InsightsError.wrapping {
            let cells = try await store.cohortCells()
            guard !cells.isEmpty else {
                throw InsightsError(.insufficientData, "the store holds no transactions: import or ingest orders first")
            }
            return assemble(cells, predicted: try await store.predictedValueByCohort())
        }
    }

    /// Turns cells (sorted by cohort and period) into cohorts; months without purchases appear
    /// with zero activity so every cohort's periods are contiguous.
    static func assemble(_ cells: [CohortCell], predicted: [String: Double]) -> CohortReport {
        var cohorts: [Cohort] = []
        let latestMonth = cells.map { monthIndex($0.cohort) + $0.period }.max() ?? 0
        for (month, group) in Dictionary(grouping: cells, by: \.cohort).sorted(by: { $0.key < $1.key }) {
            let lastPeriod = group.map(\.period).max() ?? 0
            let byPeriod = Dictionary(uniqueKeysWithValues: group.map { ($0.period, $0) })
            let size = byPeriod[0]?.activeCustomers ?? 0
            let firstRevenue = byPeriod[0]?.revenue ?? 0
            var cumulative = 0.0
            let span = max(lastPeriod, latestMonth - monthIndex(month))
            let periods = (0...span).map { period in
                let cell = byPeriod[period]
                cumulative += cell?.revenue ?? 0
                return CohortPeriod(
                    period: period,
                    activeShare: Double(cell?.activeCustomers ?? 0) / Double(max(size, 1)),
                    revenue: cell?.revenue ?? 0,
                    revenueRetained: firstRevenue > 0 ? (cell?.revenue ?? 0) / firstRevenue : 0,
                    cumulativeRevenuePerCustomer: cumulative / Double(max(size, 1))
                )
            }
            cohorts.append(
                Cohort(month: month, customers: size, predictedValuePerCustomer: predicted[month], periods: periods)
            )
        }
        return CohortReport(conventions: conventions, cohorts: cohorts)
    }

    /// `YYYY-MM` as months since year 0.
    static func monthIndex(_ month: String) -> Int {
        let parts = month.split(separator: "-")
        return (Int(parts.first ?? "") ?? 0) * 12 + (Int(parts.last ?? "") ?? 1) - 1
    }
}
