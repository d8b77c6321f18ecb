import CustomerValue
import Foundation
import PatronStorage

/// One column of the covariate matrix: a non-reference level of a categorical driver (a dummy), or a
/// numeric driver standardised to mean 0 and standard deviation 1.
struct DriverColumn: Sendable, Hashable {
    /// The driver (`channel`, `trait:region`, …).
    var driver: String
    /// The level (`email`), or `+1 SD` for a numeric driver.
    var level: String
    /// What the column is compared with: the reference level, or `mean`.
    var reference: String
    /// Customers at this level (all customers for a numeric driver).
    var customers: Int
    /// Whether the driver is categorical.
    var isCategorical: Bool

    /// The column's name in a fit: `channel=email` or `first-order-value`.
    var name: String { isCategorical ? "\(driver)=\(level)" : driver }
}

/// The covariate matrix of the drivers report: columns, each customer's row, and the customers
/// grouped by row for the covariate fit.
struct DriverDesign: Sendable {
    /// The columns.
    var columns: [DriverColumn]
    /// Per categorical driver: its levels (reference first) and each customer's level.
    var levels: [(driver: String, levels: [String], customerLevels: [String])]
    /// Customers grouped by covariate row, with their histories in the fit's unit.
    var groups: [CovariateGroup]
    /// Drivers left out, with the reason.
    var warnings: [String]

    /// Levels with fewer customers are pooled into `other`.
    static let minimumLevelCustomers = 30
    /// At most this many levels per categorical driver (the largest; the rest pooled into `other`).
    static let maximumLevels = 12

    /// Builds the design for `summaries` (all with age > 0) from per-customer attribute values.
    static func build(
        summaries: [PurchaseSummary],
        asOfDay: Int,
        unit: TimeUnit,
        drivers: [(specification: DriverSpecification, values: [Int64: String])]
    ) -> DriverDesign {
        var columns: [DriverColumn] = []
        var columnValues: [[Double]] = []
        var levels: [(String, [String], [String])] = []
        var warnings: [String] = []
        for (specification, values) in drivers {
            let name = specification.description
            let raw: [String?]
            switch specification {
            case .channel: raw = summaries.map { values[$0.customerId] ?? "unknown" }
            case .firstOrderValue: raw = summaries.map { String(log(Swift.max($0.firstRevenue, 0.01))) }
            case .trait: raw = summaries.map { values[$0.customerId] }
            }
            let numbers = raw.map { $0.flatMap(Double.init) }
            let present = numbers.compactMap { $0 }
            let isNumeric =
                specification == .firstOrderValue
                || (!present.isEmpty && present.count == raw.compactMap { $0 }.count && Set(present).count > 10)
            if isNumeric {
                let mean = present.reduce(0, +) / Double(present.count)
                let variance = present.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(present.count)
                guard variance > 0 else {
                    warnings.append("\(name) left out: every customer has the same value")
                    continue
                }
                if present.count < raw.count {
                    warnings.append(
                        "\(name): \(raw.count - present.count) customers without a value are set to the mean"
                    )
                }
                let deviation = variance.squareRoot()
                columns.append(
                    DriverColumn(
                        driver: name,
                        level: "+1 SD",
                        reference: "mean",
                        customers: present.count,
                        isCategorical: false
                    )
                )
                // Rounded to 0.01 SD so that customers share groups (a negligible approximation).
                columnValues.append(numbers.map { (((($0 ?? mean) - mean) / deviation) * 100).rounded() / 100 })
                continue
            }
            let labels = raw.map { $0 ?? "(none)" }
            let counts = Dictionary(labels.map { ($0, 1) }, uniquingKeysWith: +)
            let ranked = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            let kept = Set(
                ranked.prefix(maximumLevels).filter { $0.value >= minimumLevelCustomers }.map(\.key)
            )
            let pooled = labels.map { kept.contains($0) ? $0 : "other" }
            let pooledCounts = Dictionary(pooled.map { ($0, 1) }, uniquingKeysWith: +)
            let order = pooledCounts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
            guard order.count > 1 else {
                warnings.append("\(name) left out: all customers share one level (\(order.first ?? "none"))")
                continue
            }
            levels.append((name, order, pooled))
            for level in order.dropFirst() {
                columns.append(
                    DriverColumn(
                        driver: name,
                        level: level,
                        reference: order[0],
                        customers: pooledCounts[level] ?? 0,
                        isCategorical: true
                    )
                )
                columnValues.append(pooled.map { $0 == level ? 1 : 0 })
            }
        }
        var grouped: [[Double]: [PurchaseHistory]] = [:]
        for (index, summary) in summaries.enumerated() {
            let row = columnValues.map { $0[index] }
            grouped[row, default: []].append(
                PurchaseHistory(
                    frequency: summary.repeatPurchases,
                    recency: Double(summary.lastDay - summary.firstDay) / unit.days,
                    age: Double(asOfDay - summary.firstDay) / unit.days
                )
            )
        }
        let groups = grouped.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map {
            CovariateGroup(covariates: $0.key, histories: CompressedHistories($0.value))
        }
        return DriverDesign(columns: columns, levels: levels, groups: groups, warnings: warnings)
    }
}
