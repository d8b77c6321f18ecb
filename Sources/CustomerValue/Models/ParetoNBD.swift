import PatronNumerics
import RealModule

/// The Pareto/NBD model: while active a customer buys at rate λ ~ Gamma(r, α) and has an
/// exponential lifetime with rate μ ~ Gamma(s, β).
///
/// Source: Schmittlein, Morrison & Colombo (1987); likelihood as in Fader & Hardie (2005, note 009)
/// but with its hard term written as an integral,
/// L = Γ(r+x)αʳβˢ/Γ(r) · [(α+T)^−(r+x) (β+T)^−s + s ∫_{t_x}^{T} (α+u)^−(r+x) (β+u)^−(s+1) du],
/// whose integrand is positive and can be differentiated under the integral sign, which gives the
/// analytic gradient. The integral is computed by adaptive Gauss–Kronrod quadrature in
/// w = log(min(α, β) + u), which flattens the sharp peak near u = 0 when α or β ≪ T; everything is
/// scaled by the integrand at t_x so no term overflows (x in the thousands is fine).
public struct ParetoNBD: RepeatPurchaseModel {
    /// Shape of the gamma distribution of purchase rates.
    public var r: Double
    /// Scale (in time units) of the gamma distribution of purchase rates.
    public var alpha: Double
    /// Shape of the gamma distribution of dropout rates.
    public var s: Double
    /// Scale (in time units) of the gamma distribution of dropout rates.
    public var beta: Double

    /// `r, alpha, s, beta`.
    public static let parameterNames = ["r", "alpha", "s", "beta"]
    /// `pnbd`.
    public static let identifier = "pnbd"

    /// Creates the model (all parameters finite and > 0).
    public init(r: Double, alpha: Double, s: Double, beta: Double) throws(CustomerValueError) {
        try self.init(parameters: [r, alpha, s, beta])
    }

    /// Creates the model from `[r, alpha, s, beta]`.
    public init(parameters: [Double]) throws(CustomerValueError) {
        try Self.validate(parameters)
        r = parameters[0]
        alpha = parameters[1]
        s = parameters[2]
        beta = parameters[3]
    }

    /// `[r, alpha, s, beta]`.
    public var parameters: [Double] { [r, alpha, s, beta] }

    /// The per-customer pieces of the likelihood.
    struct Evaluation {
        /// log L.
        var logLikelihood: Double
        /// ∂ log L / ∂(r, α, s, β).
        var gradient: SIMD4<Double>
        /// P(alive at T): the share of the first bracket term in L.
        var probabilityAlive: Double
    }

    /// log L and its gradient for one history, given log Γ(r+x) − log Γ(r) and ψ(r+x) − ψ(r).
    /// Logs that do not depend on the customer, or only on T or t_x: computed once per evaluation (or
    /// per distinct time) by the bulk likelihood, directly for a single history.
    struct Logs {
        var alpha: Double
        var beta: Double
        var s: Double
        var alphaAge: Double
        var betaAge: Double
        var baseRecency: Double

        init(alpha: Double, beta: Double, s: Double, alphaAge: Double, betaAge: Double, baseRecency: Double) {
            self.alpha = alpha
            self.beta = beta
            self.s = s
            self.alphaAge = alphaAge
            self.betaAge = betaAge
            self.baseRecency = baseRecency
        }

        init(alpha a: Double, beta b: Double, s shape: Double, history: PurchaseHistory) {
            self.init(
                alpha: Double.log(a),
                beta: Double.log(b),
                s: Double.log(shape),
                alphaAge: Double.log(a + history.age),
                betaAge: Double.log(b + history.age),
                baseRecency: Double.log(Swift.max(a, b) + history.recency)
            )
        }
    }

    static func evaluate(
        r: Double,
        alpha: Double,
        s: Double,
        beta: Double,
        history: PurchaseHistory,
        logGammaRatio: Double,
        digammaDifference: Double,
        logs: Logs
    ) -> Evaluation {
        let x = Double(history.frequency)
        let shapeA = r + x
        let shapeB = s + 1
        let age = history.age
        let recency = history.recency
        let logAlphaT = logs.alphaAge
        let logBetaT = logs.betaAge
        let logFirst = -shapeA * logAlphaT - s * logBetaT
        var weightFirst = 1.0
        var logBracket = logFirst
        var integralTerms = SIMD4<Double>(repeating: 0)
        if age > recency {
            let hard = ParetoHardTerm.evaluate(
                alpha: alpha,
                beta: beta,
                shapeA: shapeA,
                shapeB: shapeB,
                recency: recency,
                age: age,
                logBaseRecency: logs.baseRecency
            )
            if hard.logIntegral > -.infinity {
                let logSecond = logs.s + hard.logIntegral
                logBracket = SpecialFunctions.logAddExp(logFirst, logSecond)
                weightFirst = Double.exp(logFirst - logBracket)
                let weightSecond = Double.exp(logSecond - logBracket)
                integralTerms = SIMD4(
                    -weightSecond * hard.meanLogAlpha,
                    -weightSecond * shapeA * hard.meanInverseAlpha,
                    weightSecond / s - weightSecond * hard.meanLogBeta,
                    -weightSecond * shapeB * hard.meanInverseBeta
                )
            }
        }
        let logLikelihood = logGammaRatio + r * logs.alpha + s * logs.beta + logBracket
        let gradient = SIMD4(
            digammaDifference + logs.alpha - weightFirst * logAlphaT,
            r / alpha - weightFirst * shapeA / (alpha + age),
            logs.beta - weightFirst * logBetaT,
            s / beta - weightFirst * s / (beta + age)
        )
        return Evaluation(
            logLikelihood: logLikelihood,
            gradient: gradient + integralTerms,
            probabilityAlive: weightFirst
        )
    }

    func evaluate(_ history: PurchaseHistory) -> Evaluation {
        let x = Double(history.frequency)
        return Self.evaluate(
            r: r,
            alpha: alpha,
            s: s,
            beta: beta,
            history: history,
            logGammaRatio: Double.logGamma(r + x) - Double.logGamma(r),
            digammaDifference: SpecialFunctions.digamma(r + x) - SpecialFunctions.digamma(r),
            logs: Logs(alpha: alpha, beta: beta, s: s, history: history)
        )
    }

    /// The total log-likelihood of compressed histories and its gradient in (r, α, s, β).
    public static func logLikelihood(
        _ parameters: [Double],
        of data: CompressedHistories,
        gradient: inout [Double]
    ) -> Double {
        let r = parameters[0]
        let alpha = parameters[1]
        let s = parameters[2]
        let beta = parameters[3]
        let logGammaR = Double.logGamma(r)
        let digammaR = SpecialFunctions.digamma(r)
        let ratios = data.distinctFrequencies.map { Double.logGamma(r + Double($0)) - logGammaR }
        let differences = data.distinctFrequencies.map { SpecialFunctions.digamma(r + Double($0)) - digammaR }
        let (logAlpha, logBeta, logS) = (Double.log(alpha), Double.log(beta), Double.log(s))
        let logAlphaAges = data.distinctAges.map { Double.log(alpha + $0) }
        let logBetaAges = data.distinctAges.map { Double.log(beta + $0) }
        let base = Swift.max(alpha, beta)
        let logBaseRecencies = data.distinctRecencies.map { Double.log(base + $0) }
        let sums = ChunkedSum.sum(count: data.rows.count, minimumChunk: 2048) { range in
            var total = SIMD8<Double>(repeating: 0)
            for index in range {
                let slot = data.frequencySlot[index]
                let ageSlot = data.ageSlot[index]
                let evaluation = evaluate(
                    r: r,
                    alpha: alpha,
                    s: s,
                    beta: beta,
                    history: data.rows[index],
                    logGammaRatio: ratios[slot],
                    digammaDifference: differences[slot],
                    logs: Logs(
                        alpha: logAlpha,
                        beta: logBeta,
                        s: logS,
                        alphaAge: logAlphaAges[ageSlot],
                        betaAge: logBetaAges[ageSlot],
                        baseRecency: logBaseRecencies[data.recencySlot[index]]
                    )
                )
                let g = evaluation.gradient
                total += data.counts[index] * SIMD8(evaluation.logLikelihood, g[0], g[1], g[2], g[3], 0, 0, 0)
            }
            return total
        }
        for index in 0..<4 { gradient[index] = sums[index + 1] }
        return sums[0]
    }

    /// The log-likelihood of one history.
    public func logLikelihood(_ history: PurchaseHistory) -> Double { evaluate(history).logLikelihood }

    /// P(active at T | x, t_x, T).
    public func probabilityAlive(_ history: PurchaseHistory) -> Double { evaluate(history).probabilityAlive }

    /// (1 − (1 + t/scale)^(1−s))/(s − 1), continuous at s = 1 (where it is log(1 + t/scale)).
    private func survivalWeightedTime(_ t: Double, scale: Double) -> Double {
        let logRatio = Double.log(onePlus: t / scale)
        let exponent = s - 1
        return exponent == 0 ? logRatio : -Double.expMinusOne(-exponent * logRatio) / exponent
    }

    /// E[X(t)] = rβ/(α(s−1)) · [1 − (β/(β+t))^(s−1)] for a new customer.
    public func expectedPurchases(during t: Double) -> Double {
        guard t > 0 else { return 0 }
        return r * beta / alpha * survivalWeightedTime(t, scale: beta)
    }

    /// E[X(T, T+t) | x, t_x, T, active] = (r+x)(β+T)/((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^(s−1)].
    public func expectedPurchasesIfActive(during t: Double, given history: PurchaseHistory) -> Double {
        guard t > 0 else { return 0 }
        let x = Double(history.frequency)
        return (r + x) * (beta + history.age) / (alpha + history.age)
            * survivalWeightedTime(t, scale: beta + history.age)
    }

    /// P(X(t) = n) = NB(n; r, α/(α+t)) (β/(β+t))ˢ + ∫₀ᵗ NB(n; r, α/(α+τ)) sβˢ/(β+τ)^(s+1) dτ:
    /// the customer is either alive throughout or dies at τ having bought n times before.
    public func probabilityOfPurchases(_ n: Int, during t: Double) -> Double {
        guard n >= 0 else { return 0 }
        guard t > 0 else { return n == 0 ? 1 : 0 }
        let count = Double(n)
        let logCoefficient = Double.logGamma(r + count) - Double.logGamma(r) - Double.logGamma(count + 1)
        func logNegativeBinomial(_ tau: Double) -> Double {
            let logTau = n == 0 ? 0 : count * (Double.log(tau) - Double.log(alpha + tau))
            return logCoefficient + r * (Double.log(alpha) - Double.log(alpha + tau)) + logTau
        }
        let alive = Double.exp(logNegativeBinomial(t) + s * (Double.log(beta) - Double.log(beta + t)))
        let logDeath = Double.log(s) + s * Double.log(beta)
        let integrator = GaussKronrodIntegrator(relativeTolerance: 1e-12, maximumPanels: 400)
        let died = integrator.integrate(from: 0, to: t) { tau in
            guard tau > 0 || n == 0 else { return SIMD8(repeating: 0) }
            return SIMD8(
                Double.exp(logNegativeBinomial(tau) + logDeath - (s + 1) * Double.log(beta + tau)),
                0,
                0,
                0,
                0,
                0,
                0,
                0
            )
        }
        return alive + died.value[0]
    }

    /// Draws a history: exponential lifetime with rate μ, Poisson purchases at rate λ until then.
    public func sampleHistory(age: Double, using generator: inout some RandomNumberGenerator) -> PurchaseHistory {
        let rate = RandomVariates.gamma(shape: r, rate: alpha, using: &generator)
        let dropoutRate = RandomVariates.gamma(shape: s, rate: beta, using: &generator)
        let lifetime = RandomVariates.exponential(rate: dropoutRate, using: &generator)
        let end = Swift.min(lifetime, age)
        var frequency = 0
        var recency = 0.0
        var time = RandomVariates.exponential(rate: rate, using: &generator)
        while time <= end {
            frequency += 1
            recency = time
            time += RandomVariates.exponential(rate: rate, using: &generator)
        }
        return PurchaseHistory(frequency: frequency, recency: recency, age: age)
    }

    /// Fits by maximum likelihood (BFGS with the analytic gradient) on data rescaled so that the
    /// largest T is 10; α and β are scaled back.
    public static func fit(
        _ data: CompressedHistories,
        options: FitOptions
    ) throws(CustomerValueError) -> ModelFit<Self> {
        try data.requireRepeatPurchases(for: identifier)
        let scale = Swift.max(data.maximumAge, 1e-12) / 10
        let scaled = data.rescaled(by: scale)
        let customers = scaled.customerCount
        let meanAge = zip(scaled.rows, scaled.counts).reduce(0) { $0 + $1.0.age * $1.1 } / customers
        let rate = Swift.max(scaled.totalRepeatPurchases / customers / Swift.max(meanAge, 1e-12), 1e-6)
        return try MaximumLikelihood.fit(
            Self.self,
            data: data,
            observations: customers,
            scaledData: scaled,
            toScaled: { [$0[0], $0[1] / scale, $0[2], $0[3] / scale] },
            fromScaled: { [$0[0], $0[1] * scale, $0[2], $0[3] * scale] },
            defaultStarts: [[1, 1 / rate, 1, 10], [0.5, 0.5 / rate, 0.5, 5], [2, 2 / rate, 2, 20], [1, 1, 1, 1]],
            options: options
        )
    }
}
