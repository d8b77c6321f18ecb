public import Foundation

/// A fitted model kept in the store: every score names the version that produced it, so it can be
/// traced (and an experiment can freeze a model).
public struct ModelVersion: Sendable, Hashable, Codable {
    /// The version number (assigned by the store; 0 before saving).
    public var id: Int64
    /// When it was fitted.
    public var createdAt: Date
    /// The purchase model's identifier (`bgnbd`, `mbgnbd`, `pnbd`).
    public var purchaseModel: String
    /// Its parameter names, in order.
    public var purchaseParameterNames: [String]
    /// Its parameters, on the time unit below.
    public var purchaseParameters: [Double]
    /// Their standard errors, when the Hessian allowed them.
    public var purchaseStandardErrors: [Double]?
    /// Gamma-Gamma spend parameters (p, q, γ), when spend could be modelled.
    public var spendParameters: [Double]?
    /// Their standard errors.
    public var spendStandardErrors: [Double]?
    /// The unit of the model's times (`days` or `weeks`).
    public var timeUnit: String
    /// The last day of data the model saw (days since 1970-01-01, inclusive).
    public var dataCutoffDay: Int
    /// The monthly discount rate of its CLV figures.
    public var monthlyDiscountRate: Double
    /// Customers fitted.
    public var customers: Int
    /// Fit facts and the comparison with the other candidates (free-form JSON object text).
    public var metricsJSON: String
    /// The 3-year CLV at the 10 %, 20 %, …, 90 % quantiles of the base when fitted: value deciles
    /// of customers re-scored later are placed on these cut points.
    public var valueCutPoints: [Double]

    /// Creates a version (id 0 until saved).
    public init(
        id: Int64 = 0,
        createdAt: Date,
        purchaseModel: String,
        purchaseParameterNames: [String],
        purchaseParameters: [Double],
        purchaseStandardErrors: [Double]?,
        spendParameters: [Double]?,
        spendStandardErrors: [Double]?,
        timeUnit: String,
        dataCutoffDay: Int,
        monthlyDiscountRate: Double,
        customers: Int,
        metricsJSON: String,
        valueCutPoints: [Double]
    ) {
        self.id = id
        self.createdAt = createdAt
        self.purchaseModel = purchaseModel
        self.purchaseParameterNames = purchaseParameterNames
        self.purchaseParameters = purchaseParameters
        self.purchaseStandardErrors = purchaseStandardErrors
        self.spendParameters = spendParameters
        self.spendStandardErrors = spendStandardErrors
        self.timeUnit = timeUnit
        self.dataCutoffDay = dataCutoffDay
        self.monthlyDiscountRate = monthlyDiscountRate
        self.customers = customers
        self.metricsJSON = metricsJSON
        self.valueCutPoints = valueCutPoints
    }
}

/// What the active model says about one customer.
public struct CustomerScore: Sendable, Hashable, Codable {
    /// The customer.
    public var customerId: Int64
    /// The model version that produced the score.
    public var modelVersionId: Int64
    /// When it was computed.
    public var scoredAt: Date
    /// P(alive) at the time of scoring.
    public var probabilityAlive: Double
    /// Expected purchase days in the next 90 days.
    public var expectedPurchases90Days: Double
    /// Expected purchase days in the next 365 days.
    public var expectedPurchases365Days: Double
    /// Expected spend per purchase (Gamma-Gamma), in the store's currency.
    public var expectedSpend: Double
    /// Discounted CLV over the next year.
    public var lifetimeValue1Year: Double
    /// Discounted CLV over the next three years.
    public var lifetimeValue3Years: Double
    /// 1 (lowest) … 10 (highest) by 3-year CLV.
    public var valueDecile: Int
    /// `top` (decile 10), `high` (8–9), `medium` (5–7) or `low` (1–4).
    public var tier: String

    /// Creates a score.
    public init(
        customerId: Int64,
        modelVersionId: Int64,
        scoredAt: Date,
        probabilityAlive: Double,
        expectedPurchases90Days: Double,
        expectedPurchases365Days: Double,
        expectedSpend: Double,
        lifetimeValue1Year: Double,
        lifetimeValue3Years: Double,
        valueDecile: Int,
        tier: String
    ) {
        self.customerId = customerId
        self.modelVersionId = modelVersionId
        self.scoredAt = scoredAt
        self.probabilityAlive = probabilityAlive
        self.expectedPurchases90Days = expectedPurchases90Days
        self.expectedPurchases365Days = expectedPurchases365Days
        self.expectedSpend = expectedSpend
        self.lifetimeValue1Year = lifetimeValue1Year
        self.lifetimeValue3Years = lifetimeValue3Years
        self.valueDecile = valueDecile
        self.tier = tier
    }
}

/// One entry of a customer's score history.
public struct ScoreHistoryEntry: Sendable, Hashable, Codable {
    /// The model version.
    public var modelVersionId: Int64
    /// When.
    public var scoredAt: Date
    /// Why: `batch` (a scoring run) or `order` (re-scored on an order or refund).
    public var reason: String
    /// P(alive).
    public var probabilityAlive: Double
    /// Expected purchase days in the next 365 days.
    public var expectedPurchases365Days: Double
    /// Discounted 3-year CLV.
    public var lifetimeValue3Years: Double
    /// Value decile.
    public var valueDecile: Int
    /// Tier.
    public var tier: String
}

/// Current scores summed over one group of customers (a tier or a value decile).
public struct ScoreGroup: Sendable, Hashable, Codable {
    /// The tier name or the decile number.
    public var key: String
    /// Customers scored in the group.
    public var customers: Int
    /// Σ discounted 1-year CLV.
    public var lifetimeValue1Year: Double
    /// Σ discounted 3-year CLV.
    public var lifetimeValue3Years: Double
    /// Σ expected purchase days in the next 365 days.
    public var expectedPurchases365Days: Double
    /// Mean P(alive).
    public var meanProbabilityAlive: Double
}
