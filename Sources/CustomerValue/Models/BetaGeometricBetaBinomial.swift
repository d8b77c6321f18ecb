import PatronNumerics
import RealModule

/// A discrete-time history: x transactions in n opportunities, the last at opportunity t_x.
public struct OpportunityHistory: Hashable, Sendable, Codable {
    /// Number of transactions x (0 ≤ x ≤ t_x ≤ n).
    public var frequency: Int
    /// Opportunity of the last transaction t_x (0 if none).
    public var recency: Int
    /// Number of opportunities n.
    public var opportunities: Int

    /// Creates a history without checking it.
    public init(frequency: Int, recency: Int, opportunities: Int) {
        self.frequency = frequency
        self.recency = recency
        self.opportunities = opportunities
    }

    /// Creates a history after checking 0 ≤ x ≤ t_x ≤ n, n ≥ 1, and t_x = 0 iff x = 0.
    public static func validated(frequency: Int, recency: Int, opportunities: Int) throws(CustomerValueError) -> Self {
        guard opportunities >= 1 else {
            throw CustomerValueError(.invalidData, "the number of opportunities must be ≥ 1, got \(opportunities)")
        }
        guard frequency >= 0, frequency <= recency || (frequency == 0 && recency == 0) else {
            throw CustomerValueError(.invalidData, "frequency \(frequency) must be between 0 and recency \(recency)")
        }
        guard recency <= opportunities else {
            throw CustomerValueError(
                .invalidData,
                "recency \(recency) is greater than the opportunities \(opportunities)"
            )
        }
        guard (frequency == 0) == (recency == 0) else {
            throw CustomerValueError(.invalidData, "recency must be 0 exactly when frequency is 0")
        }
        return Self(frequency: frequency, recency: recency, opportunities: opportunities)
    }
}

/// Unique discrete-time histories with counts.
public struct CompressedOpportunities: Sendable {
    /// The unique rows.
    public let rows: [OpportunityHistory]
    /// The number of customers per row.
    public let counts: [Double]

    /// Builds from rows with counts (e.g. the donations data's `weights`).
    public init(rows: [OpportunityHistory], counts rowCounts: [Double]) {
        var counts: [OpportunityHistory: Double] = [:]
        for (row, count) in zip(rows, rowCounts) { counts[row, default: 0] += count }
        let sorted = counts.sorted {
            ($0.key.frequency, $0.key.recency, $0.key.opportunities) < (
                $1.key.frequency, $1.key.recency, $1.key.opportunities
            )
        }
        self.rows = sorted.map(\.key)
        self.counts = sorted.map(\.value)
    }

    /// The number of customers.
    public var customerCount: Double { counts.reduce(0, +) }
}

/// The BG/BB model for discrete transaction opportunities: while alive a customer transacts at
/// each opportunity with probability p ~ Beta(α, β), and dies before each opportunity after the
/// first with probability θ ~ Beta(γ, δ).
///
/// Source: Fader, Hardie & Shang (2010), "Customer-base analysis in a discrete-time noncontractual
/// setting", eq. 5 (likelihood), 11 (P(alive)), 13 (conditional expectation).
public struct BetaGeometricBetaBinomial: LikelihoodModel {
    /// First shape of the transaction probability's beta distribution.
    public var alpha: Double
    /// Second shape of the transaction probability's beta distribution.
    public var beta: Double
    /// First shape of the dropout probability's beta distribution.
    public var gamma: Double
    /// Second shape of the dropout probability's beta distribution.
    public var delta: Double

    /// `alpha, beta, gamma, delta`.
    public static let parameterNames = ["alpha", "beta", "gamma", "delta"]
    /// `bgbb`.
    public static let identifier = "bgbb"

    /// Creates the model (all parameters finite and > 0).
    public init(alpha: Double, beta: Double, gamma: Double, delta: Double) throws(CustomerValueError) {
        try self.init(parameters: [alpha, beta, gamma, delta])
    }

    /// Creates the model from `[alpha, beta, gamma, delta]`.
    public init(parameters: [Double]) throws(CustomerValueError) {
        try Self.validate(parameters)
        alpha = parameters[0]
        beta = parameters[1]
        gamma = parameters[2]
        delta = parameters[3]
    }

    /// `[alpha, beta, gamma, delta]`.
    public var parameters: [Double] { [alpha, beta, gamma, delta] }

    /// One term log[B(α+x, β+m)/B(α,β) · B(γ+g, δ+k)/B(γ,δ)] and its gradient.
    private static func term(
        _ parameters: [Double],
        x: Double,
        m: Double,
        g: Double,
        k: Double
    ) -> (value: Double, gradient: SIMD4<Double>) {
        let (a, b, c, d) = (parameters[0], parameters[1], parameters[2], parameters[3])
        let value =
            SpecialFunctions.logBeta(a + x, b + m) - SpecialFunctions.logBeta(a, b)
            + SpecialFunctions.logBeta(c + g, d + k) - SpecialFunctions.logBeta(c, d)
        let psiAB = SpecialFunctions.digamma(a + b)
        let psiABxm = SpecialFunctions.digamma(a + b + x + m)
        let psiCD = SpecialFunctions.digamma(c + d)
        let psiCDgk = SpecialFunctions.digamma(c + d + g + k)
        let gradient = SIMD4(
            SpecialFunctions.digamma(a + x) - psiABxm - SpecialFunctions.digamma(a) + psiAB,
            SpecialFunctions.digamma(b + m) - psiABxm - SpecialFunctions.digamma(b) + psiAB,
            SpecialFunctions.digamma(c + g) - psiCDgk - SpecialFunctions.digamma(c) + psiCD,
            SpecialFunctions.digamma(d + k) - psiCDgk - SpecialFunctions.digamma(d) + psiCD
        )
        return (value, gradient)
    }

    /// The terms of L(x, t_x, n): alive through n, or died after opportunity t_x + i.
    private static func terms(
        _ parameters: [Double],
        _ history: OpportunityHistory
    ) -> [(value: Double, gradient: SIMD4<Double>)] {
        let x = Double(history.frequency)
        let n = Double(history.opportunities)
        let tx = Double(history.recency)
        var result = [term(parameters, x: x, m: n - x, g: 0, k: n)]
        for i in 0..<Swift.max(0, history.opportunities - history.recency) {
            result.append(term(parameters, x: x, m: tx - x + Double(i), g: 1, k: tx + Double(i)))
        }
        return result
    }

    /// The total log-likelihood and its gradient in (α, β, γ, δ).
    public static func logLikelihood(
        _ parameters: [Double],
        of data: CompressedOpportunities,
        gradient: inout [Double]
    ) -> Double {
        var total = 0.0
        var totalGradient = SIMD4<Double>(repeating: 0)
        for (row, count) in zip(data.rows, data.counts) {
            let parts = terms(parameters, row)
            let logL = SpecialFunctions.logSumExp(parts.map(\.value))
            total += count * logL
            for part in parts { totalGradient += count * Double.exp(part.value - logL) * part.gradient }
        }
        for index in 0..<4 { gradient[index] = totalGradient[index] }
        return total
    }

    /// The log-likelihood of one history.
    public func logLikelihood(_ history: OpportunityHistory) -> Double {
        SpecialFunctions.logSumExp(Self.terms(parameters, history).map(\.value))
    }

    /// P(alive at opportunity n + 1 | x, t_x, n) = B(α+x, β+n−x)/B(α,β) · B(γ, δ+n+1)/B(γ,δ) / L
    /// (FHS 2010, eq. 11): the probability of being alive for the next opportunity.
    public func probabilityAlive(_ history: OpportunityHistory) -> Double {
        let x = Double(history.frequency)
        let n = Double(history.opportunities)
        let alive =
            SpecialFunctions.logBeta(alpha + x, beta + n - x) - SpecialFunctions.logBeta(alpha, beta)
            + SpecialFunctions.logBeta(gamma, delta + n + 1) - SpecialFunctions.logBeta(gamma, delta)
        return Double.exp(alive - logLikelihood(history))
    }

    /// E[X(n)] = α/(α+β) · δ/(γ−1) · [1 − Γ(γ+δ)Γ(1+δ+n)/(Γ(γ+δ+n)Γ(1+δ))], the expected transactions of a
    /// new customer in n opportunities (FHS 2010, eq. 7; the limit is taken at γ = 1).
    public func expectedTransactions(opportunities n: Int) -> Double {
        alpha / (alpha + beta) * remainingOpportunitiesFactor(from: 0, count: n)
    }

    /// Σᵢ₌₁ⁿ* P(alive at opportunity start+i) given alive at "start", averaged over θ ~ Beta(γ, δ+start):
    /// δ'/(γ−1) · [1 − Γ(γ+δ')Γ(1+δ'+n*)/(Γ(γ+δ'+n*)Γ(1+δ'))] with δ' = δ + start.
    private func remainingOpportunitiesFactor(from start: Int, count: Int) -> Double {
        let shifted = delta + Double(start)
        let ratio = Double.exp(
            Double.logGamma(gamma + shifted) + Double.logGamma(1 + shifted + Double(count))
                - Double.logGamma(gamma + shifted + Double(count)) - Double.logGamma(1 + shifted)
        )
        if abs(gamma - 1) < 1e-10 {
            var sum = 0.0
            for i in 1...Swift.max(count, 1) where count > 0 { sum += shifted / (shifted + Double(i)) }
            return sum
        }
        return shifted / (gamma - 1) * (1 - ratio)
    }

    /// E[X(n, n+n*) | x, t_x, n]: expected transactions in the next n* opportunities (FHS 2010, eq. 13).
    public func expectedTransactions(inNext futureOpportunities: Int, given history: OpportunityHistory) -> Double {
        guard futureOpportunities > 0 else { return 0 }
        let x = Double(history.frequency)
        let n = Double(history.opportunities)
        let logAliveThroughN =
            SpecialFunctions.logBeta(alpha + x, beta + n - x) - SpecialFunctions.logBeta(alpha, beta)
            + SpecialFunctions.logBeta(gamma, delta + n) - SpecialFunctions.logBeta(gamma, delta)
        let aliveShare = Double.exp(logAliveThroughN - logLikelihood(history))
        let transactionProbability = (alpha + x) / (alpha + beta + n)
        // Alive at n: θ ~ Beta(γ, δ+n); expected number of the next n* opportunities at which the customer is alive.
        let shifted = delta + n
        let aliveOpportunities: Double
        if abs(gamma - 1) < 1e-10 {
            aliveOpportunities = (1...futureOpportunities).reduce(0) { $0 + shifted / (shifted + Double($1)) }
        } else {
            let ratio = Double.exp(
                Double.logGamma(gamma + shifted) + Double.logGamma(1 + shifted + Double(futureOpportunities))
                    - Double.logGamma(gamma + shifted + Double(futureOpportunities)) - Double.logGamma(1 + shifted)
            )
            aliveOpportunities = shifted / (gamma - 1) * (1 - ratio)
        }
        return aliveShare * transactionProbability * aliveOpportunities
    }

    /// P(X(n) = x) for a new customer (FHS 2010, eq. 8).
    public func probabilityOfTransactions(_ x: Int, opportunities n: Int) -> Double {
        guard x >= 0, x <= n else { return 0 }
        let count = Double(x)
        func logChoose(_ total: Double, _ chosen: Double) -> Double {
            Double.logGamma(total + 1) - Double.logGamma(chosen + 1) - Double.logGamma(total - chosen + 1)
        }
        let parameters = self.parameters
        var probability = Double.exp(
            logChoose(Double(n), count)
                + Self.term(parameters, x: count, m: Double(n) - count, g: 0, k: Double(n)).value
        )
        if x < n {
            for i in x..<n {
                let value = Self.term(parameters, x: count, m: Double(i) - count, g: 1, k: Double(i)).value
                probability += Double.exp(logChoose(Double(i), count) + value)
            }
        }
        return probability
    }

    /// Draws a history over n opportunities.
    public func sampleHistory(
        opportunities: Int,
        using generator: inout some RandomNumberGenerator
    ) -> OpportunityHistory {
        let transact = RandomVariates.beta(alpha, beta, using: &generator)
        let die = RandomVariates.beta(gamma, delta, using: &generator)
        var frequency = 0
        var recency = 0
        for opportunity in 1...Swift.max(opportunities, 1) where opportunities > 0 {
            if RandomVariates.bernoulli(die, using: &generator) { break }
            if RandomVariates.bernoulli(transact, using: &generator) {
                frequency += 1
                recency = opportunity
            }
        }
        return OpportunityHistory(frequency: frequency, recency: recency, opportunities: opportunities)
    }

    /// Fits by maximum likelihood.
    public static func fit(
        _ data: CompressedOpportunities,
        options: FitOptions = FitOptions()
    ) throws(CustomerValueError) -> ModelFit<Self> {
        try MaximumLikelihood.fit(
            Self.self,
            data: data,
            observations: data.customerCount,
            scaledData: data,
            toScaled: { $0 },
            fromScaled: { $0 },
            defaultStarts: [[1, 1, 1, 1], [0.5, 0.5, 0.5, 2], [2, 1, 1, 3]],
            options: options
        )
    }
}
