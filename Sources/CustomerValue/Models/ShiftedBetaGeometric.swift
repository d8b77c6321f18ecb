import PatronNumerics
import RealModule

/// The survivors of one cohort at the start and after each period: n₀ ≥ n₁ ≥ … ≥ n_k.
public struct CohortSurvival: Sendable, Hashable, Codable {
    /// Survivors per period, starting with the cohort size.
    public var survivors: [Double]

    /// Creates cohort data after checking it is non-increasing, non-negative and has ≥ 2 entries.
    public init(survivors: [Double]) throws(CustomerValueError) {
        guard survivors.count >= 2 else {
            throw CustomerValueError(.invalidData, "sBG needs the cohort size and at least one later period")
        }
        for (index, value) in survivors.enumerated() where !(value.isFinite && value >= 0) {
            throw CustomerValueError(.invalidData, "survivors in period \(index) must be ≥ 0, got \(value)")
        }
        for index in 1..<survivors.count where survivors[index] > survivors[index - 1] {
            throw CustomerValueError(
                .invalidData,
                "survivors must not increase: period \(index) has \(survivors[index]) > \(survivors[index - 1])"
            )
        }
        self.survivors = survivors
    }
}

/// The shifted-beta-geometric model of contract renewals: each customer churns at each renewal with
/// probability θ ~ Beta(α, β).
///
/// Source: Fader & Hardie (2007), "How to project customer retention"; DERL from Fader & Hardie
/// (2010), "Customer-base valuation in a contractual setting".
public struct ShiftedBetaGeometric: LikelihoodModel {
    /// First shape of the churn probability's beta distribution.
    public var alpha: Double
    /// Second shape of the churn probability's beta distribution.
    public var beta: Double

    /// `alpha, beta`.
    public static let parameterNames = ["alpha", "beta"]
    /// `sbg`.
    public static let identifier = "sbg"

    /// Creates the model (both parameters finite and > 0).
    public init(alpha: Double, beta: Double) throws(CustomerValueError) {
        try self.init(parameters: [alpha, beta])
    }

    /// Creates the model from `[alpha, beta]`.
    public init(parameters: [Double]) throws(CustomerValueError) {
        try Self.validate(parameters)
        alpha = parameters[0]
        beta = parameters[1]
    }

    /// `[alpha, beta]`.
    public var parameters: [Double] { [alpha, beta] }

    /// LL = Σₜ (nₜ₋₁ − nₜ) log P(T = t) + n_k log S(k), with P(T = t) = B(α+1, β+t−1)/B(α,β) and
    /// S(t) = B(α, β+t)/B(α,β); gradient in (α, β).
    public static func logLikelihood(
        _ parameters: [Double],
        of data: CohortSurvival,
        gradient: inout [Double]
    ) -> Double {
        let a = parameters[0]
        let b = parameters[1]
        let logBetaAB = SpecialFunctions.logBeta(a, b)
        let psiAB = SpecialFunctions.digamma(a + b)
        let psiA = SpecialFunctions.digamma(a)
        let psiB = SpecialFunctions.digamma(b)
        var total = 0.0
        var gA = 0.0
        var gB = 0.0
        let periods = data.survivors.count - 1
        for t in 1...periods {
            let churned = data.survivors[t - 1] - data.survivors[t]
            guard churned > 0 else { continue }
            let tt = Double(t)
            let psiSum = SpecialFunctions.digamma(a + b + tt)
            total += churned * (SpecialFunctions.logBeta(a + 1, b + tt - 1) - logBetaAB)
            gA += churned * (SpecialFunctions.digamma(a + 1) - psiSum - psiA + psiAB)
            gB += churned * (SpecialFunctions.digamma(b + tt - 1) - psiSum - psiB + psiAB)
        }
        let remaining = data.survivors[periods]
        if remaining > 0 {
            let tt = Double(periods)
            let psiSum = SpecialFunctions.digamma(a + b + tt)
            total += remaining * (SpecialFunctions.logBeta(a, b + tt) - logBetaAB)
            gA += remaining * (psiA - psiSum - psiA + psiAB)
            gB += remaining * (SpecialFunctions.digamma(b + tt) - psiSum - psiB + psiAB)
        }
        gradient[0] = gA
        gradient[1] = gB
        return total
    }

    /// S(t) = B(α, β+t)/B(α, β), the share of the cohort still a customer after t periods.
    public func survival(after t: Int) -> Double {
        Double.exp(SpecialFunctions.logBeta(alpha, beta + Double(t)) - SpecialFunctions.logBeta(alpha, beta))
    }

    /// rₜ = (β+t−1)/(α+β+t−1), the share of period t−1's survivors who renew at t.
    public func retentionRate(period t: Int) -> Double {
        (beta + Double(t) - 1) / (alpha + beta + Double(t) - 1)
    }

    /// Discounted expected residual lifetime of a customer who has made `renewals` renewals (n ≥ 1),
    /// with discount rate d per period:
    /// DERL = (β+n−1)/(α+β+n−1) · ₂F₁(1, β+n; α+β+n; 1/(1+d)) (Fader & Hardie 2010, eq. 6): the
    /// discounted number of further periods, each renewal discounted by one more period.
    public func discountedExpectedResidualLifetime(renewals n: Int, discountRate d: Double) -> Double {
        let shifted = beta + Double(n) - 1
        return shifted / (alpha + shifted)
            * SpecialFunctions.hypergeometric2F1(1, shifted + 1, alpha + shifted + 1, 1 / (1 + d))
    }

    /// Draws the survivors of a cohort of `size` customers over `periods` periods.
    public func sampleSurvival(size: Int, periods: Int, using generator: inout some RandomNumberGenerator) -> [Double] {
        var survivors = [Double](repeating: 0, count: periods + 1)
        for _ in 0..<size {
            let churn = RandomVariates.beta(alpha, beta, using: &generator)
            var lifetime = 0
            while lifetime < periods && !RandomVariates.bernoulli(churn, using: &generator) { lifetime += 1 }
            for t in 0...lifetime { survivors[t] += 1 }
        }
        return survivors
    }

    /// Fits by maximum likelihood.
    public static func fit(
        _ data: CohortSurvival,
        options: FitOptions = FitOptions()
    ) throws(CustomerValueError) -> ModelFit<Self> {
        try MaximumLikelihood.fit(
            Self.self,
            data: data,
            observations: data.survivors[0],
            scaledData: data,
            toScaled: { $0 },
            fromScaled: { $0 },
            defaultStarts: [[1, 1], [0.5, 2], [2, 5]],
            options: options
        )
    }
}
