import CustomerValue
public import Foundation
import PatronCore
public import PatronStorage

/// The model version behind a report, with the conventions every CLV figure follows.
public struct ModelVersionSummary: Sendable, Hashable, Codable {
    /// The version id.
    public var id: Int64
    /// The purchase model.
    public var purchaseModel: String
    /// When it was fitted.
    public var fittedAt: Date
    /// The last day of data (YYYY-MM-DD).
    public var dataCutoff: String
    /// The model's time unit.
    public var timeUnit: String
    /// The monthly discount rate.
    public var monthlyDiscountRate: Double
    /// One sentence stating how CLV is computed.
    public var conventions: String

    /// Summarises `version`.
    public init(_ version: ModelVersion) {
        id = version.id
        purchaseModel = version.purchaseModel
        fittedAt = version.createdAt
        dataCutoff = DayText.text(version.dataCutoffDay)
        timeUnit = version.timeUnit
        monthlyDiscountRate = version.monthlyDiscountRate
        conventions =
            "CLV = expected purchases × expected spend (\(version.spendParameters == nil ? "each customer's own mean" : "Gamma-Gamma")), "
            + "discounted at \(version.monthlyDiscountRate * 100) % per month (month = 30.4375 days), over 12 and 36 months; "
            + "model \(version.purchaseModel) in \(version.timeUnit), data up to \(DayText.text(version.dataCutoffDay)); "
            + "amounts in the store's currency, summed as recorded"
    }
}

/// One of the most valuable customers.
public struct TopCustomer: Sendable, Hashable, Codable {
    /// The customer.
    public var customerId: Int64
    /// Its first id (e.g. its user id), for people.
    public var identifier: String?
    /// Its score.
    public var score: CustomerScore
}

/// What the customer base is worth: totals, by tier and decile, and the top customers.
public struct ValueReport: Sendable, Hashable, Codable {
    /// The model version and the CLV conventions.
    public var model: ModelVersionSummary
    /// Customers scored.
    public var customers: Int
    /// Σ 1-year CLV.
    public var lifetimeValue1Year: Double
    /// Σ 3-year CLV.
    public var lifetimeValue3Years: Double
    /// Σ expected purchase days in the next 365 days.
    public var expectedPurchases365Days: Double
    /// Customers with P(alive) ≥ 0.5.
    public var likelyActive: Int
    /// By tier (top, high, medium, low).
    public var tiers: [ScoreGroup]
    /// By value decile (10 = highest).
    public var deciles: [ScoreGroup]
    /// The share of 3-year CLV held by the top decile.
    public var topDecileShare: Double
    /// The most valuable customers.
    public var topCustomers: [TopCustomer]

    /// Builds the report from the store's current scores.
    /// - Throws: ``InsightsError`` `.insufficientData` before the first fit.
    public static func build(store: SQLiteStore, top: Int = 10) async throws(InsightsError) -> ValueReport {
        try await InsightsError.wrapping {
            guard let version = try await store.activeModelVersion() else {
                throw InsightsError(.insufficientData, "no model has been fitted yet: run `patron fit` first")
            }
            let tiers = try await store.scoreGroups(byDecile: false)
            let deciles = try await store.scoreGroups(byDecile: true)
            let total3 = deciles.reduce(0) { $0 + $1.lifetimeValue3Years }
            var topCustomers: [TopCustomer] = []
            for score in try await store.scores(limit: top) {
                let profile = try await store.customer(id: score.customerId)
                topCustomers.append(
                    TopCustomer(
                        customerId: score.customerId,
                        identifier: profile?.identifiers.first?.value,
                        score: score
                    )
                )
            }
            return ValueReport(
                model: ModelVersionSummary(version),
                customers: deciles.reduce(0) { $0 + $1.customers },
                lifetimeValue1Year: deciles.reduce(0) { $0 + $1.lifetimeValue1Year },
                lifetimeValue3Years: total3,
                expectedPurchases365Days: deciles.reduce(0) { $0 + $1.expectedPurchases365Days },
                likelyActive: try await store.scoredCustomers(minimumProbabilityAlive: 0.5),
                tiers: tiers,
                deciles: deciles.sorted { Int($0.key) ?? 0 > Int($1.key) ?? 0 },
                topDecileShare: total3 > 0 ? (deciles.first { $0.key == "10" }?.lifetimeValue3Years ?? 0) / total3 : 0,
                topCustomers: topCustomers
            )
        }
    }
}

/// Day numbers as `YYYY-MM-DD`.
enum DayText {
    static func text(_ day: Int) -> String { CalendarDate(dayNumber: day).description }
}
