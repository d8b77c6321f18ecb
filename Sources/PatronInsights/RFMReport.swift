public import PatronStorage

/// One named RFM segment.
public struct RFMSegment: Sendable, Hashable, Codable {
    /// The segment's name (Champions, Loyal customers, …).
    public var name: String
    /// Customers in it.
    public var customers: Int
    /// Their share of all customers.
    public var share: Double
    /// Mean days since the last purchase.
    public var meanRecencyDays: Double
    /// Mean purchase days.
    public var meanFrequency: Double
    /// Mean revenue per customer.
    public var meanMonetary: Double
    /// Their revenue.
    public var revenue: Double
}

/// RFM scores in quintiles and the usual named segments, as of a day.
public struct RFMReport: Sendable, Hashable, Codable {
    /// The as-of day, `YYYY-MM-DD`.
    public var asOf: String
    /// Customers with a purchase up to that day.
    public var customers: Int
    /// How the scores and segments are made.
    public var conventions: String
    /// The segments, largest first.
    public var segments: [RFMSegment]
    /// Customers per (recency score, frequency score), 5 × 5, row = recency 1…5.
    public var grid: [[Int]]

    /// The conventions sentence.
    public static let conventions =
        "Recency = days since the last purchase day, frequency = purchase days, monetary = revenue net of refunds; "
        + "each scored 1–5 by rank quintile (5 = best; equal values share a score). Segments by recency and "
        + "frequency score: Champions R5 F4–5, Loyal customers R3–4 F4–5, Potential loyalists R4–5 F2–3, "
        + "New customers R5 F1, Promising R4 F1, Need attention R3 F3, About to sleep R3 F1–2, "
        + "At risk R1–2 F3–4, Can't lose them R1–2 F5, Hibernating R1–2 F1–2."

    /// The named segment of a recency and frequency score.
    public static func segment(recency r: Int, frequency f: Int) -> String {
        switch (r, f) {
        case (5, 4...5): "Champions"
        case (3...4, 4...5): "Loyal customers"
        case (4...5, 2...3): "Potential loyalists"
        case (5, 1): "New customers"
        case (4, 1): "Promising"
        case (3, 3): "Need attention"
        case (3, 1...2): "About to sleep"
        case (1...2, 3...4): "At risk"
        case (1...2, 5): "Can't lose them"
        default: "Hibernating"
        }
    }

    /// Builds the report from the store as of `asOfDay` (default: the last purchase day).
    public static func build(store: SQLiteStore, asOfDay: Int? = nil) async throws(InsightsError) -> RFMReport {
        try await InsightsError.wrapping {
            guard let range = try await store.purchaseDayRange() else {
                throw InsightsError(.insufficientData, "the store holds no transactions: import or ingest orders first")
            }
            let day = asOfDay ?? range.upperBound
            return summarise(try await store.rfmRows(asOfDay: day), asOfDay: day)
        }
    }

    /// Groups scored rows into segments and the R × F grid.
    static func summarise(_ rows: [RFMRow], asOfDay: Int) -> RFMReport {
        var grid = [[Int]](repeating: [Int](repeating: 0, count: 5), count: 5)
        var totals: [String: (customers: Int, recency: Double, frequency: Double, monetary: Double)] = [:]
        for row in rows {
            grid[row.recencyScore - 1][row.frequencyScore - 1] += 1
            let name = segment(recency: row.recencyScore, frequency: row.frequencyScore)
            var total = totals[name] ?? (0, 0, 0, 0)
            total.customers += 1
            total.recency += Double(row.recencyDays)
            total.frequency += Double(row.frequency)
            total.monetary += row.monetary
            totals[name] = total
        }
        let segments = totals.map { name, total in
            RFMSegment(
                name: name,
                customers: total.customers,
                share: Double(total.customers) / Double(max(rows.count, 1)),
                meanRecencyDays: total.recency / Double(total.customers),
                meanFrequency: total.frequency / Double(total.customers),
                meanMonetary: total.monetary / Double(total.customers),
                revenue: total.monetary
            )
        }
        .sorted { ($0.customers, $1.name) > ($1.customers, $0.name) }
        return RFMReport(
            asOf: DayText.text(asOfDay),
            customers: rows.count,
            conventions: conventions,
            segments: segments,
            grid: grid
        )
    }
}
