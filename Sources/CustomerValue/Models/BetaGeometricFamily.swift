import PatronNumerics
import RealModule

/// The mathematics shared by BG/NBD and MBG/NBD. Both draw purchase rates λ ~ Gamma(r, α) and a
/// dropout probability p ~ Beta(a, b); BG/NBD lets a customer drop out after each repeat purchase,
/// MBG/NBD also right after the first purchase. `extraDropoutChances` is 0 for BG/NBD and 1 for
/// MBG/NBD: a customer with x repeat purchases has survived x + k dropout chances.
///
/// Likelihood (Fader, Hardie & Lee 2005, eq. 6; Batislam et al. 2007):
/// L = B(a, b+x+k)/B(a, b) · Γ(r+x)αʳ/(Γ(r)(α+T)^(r+x))
///   + [x+k > 0] B(a+1, b+x+k−1)/B(a, b) · Γ(r+x)αʳ/(Γ(r)(α+t_x)^(r+x)),
/// evaluated in logs (log-add-exp of the two terms) so it never overflows.
struct BetaGeometricFamily {
    let r: Double
    let alpha: Double
    let a: Double
    let b: Double
    let extraDropoutChances: Int

    static func logLikelihood(
        _ parameters: [Double],
        of data: CompressedHistories,
        extraDropoutChances k: Int,
        gradient: inout [Double]
    ) -> Double {
        let sums = logLikelihoodSums(parameters, of: data, extraDropoutChances: k)
        for index in 0..<4 { gradient[index] = sums[index + 1] }
        return sums[0]
    }

    /// The log-likelihood with its gradient and its exact Hessian in (r, α, a, b).
    static func logLikelihood(
        _ parameters: [Double],
        of data: CompressedHistories,
        extraDropoutChances k: Int,
        gradient: inout [Double],
        hessian: inout [[Double]]
    ) -> Double {
        let sums = logLikelihoodSums(parameters, of: data, extraDropoutChances: k)
        for index in 0..<4 { gradient[index] = sums[index + 1] }
        var lane = 5
        for i in 0..<4 {
            for j in i..<4 {
                hessian[i][j] = sums[lane]
                hessian[j][i] = sums[lane]
                lane += 1
            }
        }
        return sums[0]
    }

    /// Lanes: 0 the log-likelihood; 1–4 the gradient in (r, α, a, b); 5–14 the upper triangle of the
    /// Hessian, row by row (rr, rα, ra, rb, αα, αa, αb, aa, ab, bb).
    ///
    /// Per row ℓ = K(x) + r log α + log(e^A₃ + e^A₄) with A₃ = −(r+x) log(α+T) and
    /// A₄ = log a − log(b+x+k−1) − (r+x) log(α+t_x); the log-add-exp has gradient w₃∇A₃ + w₄∇A₄ and
    /// Hessian w₃∇²A₃ + w₄∇²A₄ + w₃w₄(∇A₃ − ∇A₄)(∇A₃ − ∇A₄)ᵀ. K(x) = log Γ(r+x) − log Γ(r) + log Γ(b+x+k)
    /// − log Γ(b) − log Γ(a+b+x+k) + log Γ(a+b) and its derivatives are computed once per distinct x.
    static func logLikelihoodSums(
        _ parameters: [Double],
        of data: CompressedHistories,
        extraDropoutChances k: Int
    ) -> SIMD16<Double> {
        let r = parameters[0]
        let alpha = parameters[1]
        let a = parameters[2]
        let b = parameters[3]
        let kk = Double(k)
        let logAlpha = Double.log(alpha)
        let logA = Double.log(a)
        // Terms that depend on x only, once per distinct x. Walking up the sorted x's,
        // log Γ(z+x) − log Γ(z), ψ(z+x) − ψ(z) and ψ′(z+x) − ψ′(z) grow by log(z+x), 1/(z+x) and
        // −1/(z+x)² per step; a long gap is bridged with log Γ, ψ and ψ′ directly.
        var perFrequency: [FrequencyTerms] = []
        perFrequency.reserveCapacity(data.distinctFrequencies.count)
        var current = IncrementalTerms(r: r, a: a, b: b, k: kk, x: 0)
        for frequency in data.distinctFrequencies {
            if frequency - current.x > 64 { current = IncrementalTerms(r: r, a: a, b: b, k: kk, x: frequency) }
            while current.x < frequency { current.step() }
            let survived = Double(frequency) + kk
            perFrequency.append(
                FrequencyTerms(
                    constant: current.logGammaR + r * logAlpha + current.logGammaB - current.logGammaAB,
                    dR: current.digammaR + logAlpha,
                    dA: -current.digammaAB,
                    dB: current.digammaB - current.digammaAB,
                    dRR: current.trigammaR,
                    dAA: -current.trigammaAB,
                    dBB: current.trigammaB - current.trigammaAB,
                    logSecond: survived > 0 ? logA - Double.log(b + survived - 1) : -.infinity,
                    inverseSurvived: survived > 0 ? 1 / (b + survived - 1) : 0
                )
            )
        }
        // Logs and inverses that depend on one time only, once per distinct T and t_x.
        let logAlphaAges = data.distinctAges.map { Double.log(alpha + $0) }
        let inverseAlphaAges = data.distinctAges.map { 1 / (alpha + $0) }
        let logAlphaRecencies = data.distinctRecencies.map { Double.log(alpha + $0) }
        let inverseAlphaRecencies = data.distinctRecencies.map { 1 / (alpha + $0) }
        let ageSlots = data.ageSlot
        let recencySlots = data.recencySlot
        let rows = data.rows
        let counts = data.counts
        let slots = data.frequencySlot
        let terms = perFrequency
        let inverseA = 1 / a
        return ChunkedSum.sum(count: rows.count) { range in
            var total = SIMD16<Double>(repeating: 0)
            for index in range {
                let row = rows[index]
                let term = terms[slots[index]]
                let shape = r + Double(row.frequency)
                let logAlphaT = logAlphaAges[ageSlots[index]]
                let inverseAlphaT = inverseAlphaAges[ageSlots[index]]
                let first = -shape * logAlphaT
                var weightSecond = 0.0
                var logAlphaTx = 0.0
                var inverseAlphaTx = 0.0
                var logSum = first
                if term.logSecond > -.infinity {
                    logAlphaTx = logAlphaRecencies[recencySlots[index]]
                    inverseAlphaTx = inverseAlphaRecencies[recencySlots[index]]
                    let second = term.logSecond - shape * logAlphaTx
                    let difference = second - first
                    let e = Double.exp(-abs(difference))
                    logSum = Swift.max(first, second) + Double.log(onePlus: e)
                    weightSecond = difference > 0 ? 1 / (1 + e) : e / (1 + e)
                }
                let weightFirst = 1 - weightSecond
                // ∇A₃ − ∇A₄ in (r, α, a, b); A₄'s a and b derivatives are 1/a and −1/(b+x+k−1).
                let gapR = logAlphaTx - logAlphaT
                let gapAlpha = shape * (inverseAlphaTx - inverseAlphaT)
                let gapA = weightSecond > 0 ? -inverseA : 0
                let gapB = weightSecond > 0 ? term.inverseSurvived : 0
                let mix = weightFirst * weightSecond
                let inverseAlphaMix = weightFirst * inverseAlphaT + weightSecond * inverseAlphaTx
                let inverseAlphaSquareMix =
                    weightFirst * inverseAlphaT * inverseAlphaT + weightSecond * inverseAlphaTx * inverseAlphaTx
                let value = term.constant + logSum
                let gR = term.dR - weightFirst * logAlphaT - weightSecond * logAlphaTx
                let gAlpha = r / alpha - shape * inverseAlphaMix
                let gA = term.dA + weightSecond * inverseA
                let gB = term.dB - weightSecond * term.inverseSurvived
                let hRR = term.dRR + mix * gapR * gapR
                let hRAlpha = 1 / alpha - inverseAlphaMix + mix * gapR * gapAlpha
                let hRA = mix * gapR * gapA
                let hRB = mix * gapR * gapB
                let hAlphaAlpha = -r / (alpha * alpha) + shape * inverseAlphaSquareMix + mix * gapAlpha * gapAlpha
                let hAlphaA = mix * gapAlpha * gapA
                let hAlphaB = mix * gapAlpha * gapB
                let hAA = term.dAA - weightSecond * inverseA * inverseA + mix * gapA * gapA
                let hAB = term.dAA + mix * gapA * gapB
                let hBB =
                    term.dBB + weightSecond * term.inverseSurvived * term.inverseSurvived + mix * gapB * gapB
                total +=
                    counts[index]
                    * SIMD16(
                        value,
                        gR,
                        gAlpha,
                        gA,
                        gB,
                        hRR,
                        hRAlpha,
                        hRA,
                        hRB,
                        hAlphaAlpha,
                        hAlphaA,
                        hAlphaB,
                        hAA,
                        hAB,
                        hBB,
                        0
                    )
            }
            return total
        }
    }

    /// The derivatives of the x-only part K(x) + r log α, and A₄'s x-only part.
    struct FrequencyTerms {
        var constant: Double
        var dR: Double
        var dA: Double
        var dB: Double
        var dRR: Double
        var dAA: Double
        var dBB: Double
        var logSecond: Double
        var inverseSurvived: Double
    }

    /// log Γ(r+x) − log Γ(r), log Γ(b+x+k) − log Γ(b), log Γ(a+b+x+k) − log Γ(a+b) and the matching
    /// ψ and ψ′ differences, advanced one x at a time.
    struct IncrementalTerms {
        let r: Double
        let a: Double
        let b: Double
        let k: Double
        var x: Int
        var logGammaR: Double
        var logGammaB: Double
        var logGammaAB: Double
        var digammaR: Double
        var digammaB: Double
        var digammaAB: Double
        var trigammaR: Double
        var trigammaB: Double
        var trigammaAB: Double

        init(r: Double, a: Double, b: Double, k: Double, x: Int) {
            self.r = r
            self.a = a
            self.b = b
            self.k = k
            self.x = x
            let count = Double(x)
            logGammaR = Double.logGamma(r + count) - Double.logGamma(r)
            logGammaB = Double.logGamma(b + count + k) - Double.logGamma(b)
            logGammaAB = Double.logGamma(a + b + count + k) - Double.logGamma(a + b)
            digammaR = SpecialFunctions.digamma(r + count) - SpecialFunctions.digamma(r)
            digammaB = SpecialFunctions.digamma(b + count + k) - SpecialFunctions.digamma(b)
            digammaAB = SpecialFunctions.digamma(a + b + count + k) - SpecialFunctions.digamma(a + b)
            trigammaR = SpecialFunctions.trigamma(r + count) - SpecialFunctions.trigamma(r)
            trigammaB = SpecialFunctions.trigamma(b + count + k) - SpecialFunctions.trigamma(b)
            trigammaAB = SpecialFunctions.trigamma(a + b + count + k) - SpecialFunctions.trigamma(a + b)
            if x == 0 {
                logGammaR = 0
                digammaR = 0
                logGammaB = k > 0 ? Double.log(b) : 0
                logGammaAB = k > 0 ? Double.log(a + b) : 0
                digammaB = k > 0 ? 1 / b : 0
                digammaAB = k > 0 ? 1 / (a + b) : 0
                trigammaR = 0
                trigammaB = k > 0 ? -1 / (b * b) : 0
                trigammaAB = k > 0 ? -1 / ((a + b) * (a + b)) : 0
            }
        }

        mutating func step() {
            let count = Double(x)
            logGammaR += Double.log(r + count)
            digammaR += 1 / (r + count)
            logGammaB += Double.log(b + count + k)
            digammaB += 1 / (b + count + k)
            logGammaAB += Double.log(a + b + count + k)
            digammaAB += 1 / (a + b + count + k)
            trigammaR -= 1 / ((r + count) * (r + count))
            trigammaB -= 1 / ((b + count + k) * (b + count + k))
            trigammaAB -= 1 / ((a + b + count + k) * (a + b + count + k))
            x += 1
        }
    }

    func logLikelihood(_ history: PurchaseHistory) -> Double {
        var gradient = [0.0, 0, 0, 0]
        return Self.logLikelihood(
            [r, alpha, a, b],
            of: CompressedHistories([history]),
            extraDropoutChances: extraDropoutChances,
            gradient: &gradient
        )
    }

    func probabilityAlive(_ history: PurchaseHistory) -> Double {
        let survived = Double(history.frequency + extraDropoutChances)
        guard survived > 0 else { return 1 }
        let logOdds =
            Double.log(a) - Double.log(b + survived - 1)
            + (r + Double(history.frequency))
            * (Double.log(alpha + history.age) - Double.log(alpha + history.recency))
        return 1 / (1 + Double.exp(logOdds))
    }

    /// E[(1/p)(1 − (1 + p t/scale)^−R)] for λ ~ Gamma(R, scale), p ~ Beta(a, B): the expected purchases
    /// in the next t of a customer who is active now and has survived the dropout chances behind B.
    /// Equals (a+B−1)/(a−1) · [1 − (scale/(scale+t))^R ₂F₁(R, B; a+B−1; z)], z = t/(scale+t), which is
    /// evaluated through Euler's transformation as
    /// (a+B−1) · [(1 − (1−z)^ε)/ε − (1−z)^ε Σₙ≥₁ (a+B−1−R)ₙ (ε+1)ₙ₋₁ zⁿ/((a+B−1)ₙ n!)], ε = a − 1,
    /// which has no cancellation, stays finite for large R (large x) and is continuous at a = 1.
    static func activeCustomerExpectation(shape R: Double, scale: Double, a: Double, b B: Double, t: Double) -> Double {
        guard t > 0 else { return 0 }
        let c = a + B - 1
        let epsilon = a - 1
        let logOneMinusZ = -Double.log(onePlus: t / scale)
        let z = t / (scale + t)
        // The series' terms grow like (1 − z)^−ε before they fall: past e^50 it needs thousands of
        // terms and soon overflows (a, b run off to infinity on data with almost no dropout), so
        // integrate over p instead.
        if -epsilon * logOneMinusZ > 50 {
            return quadratureExpectation(shape: R, scale: scale, a: a, b: B, t: t)
        }
        let leading = epsilon == 0 ? -logOneMinusZ : -Double.expMinusOne(epsilon * logOneMinusZ) / epsilon
        let numerator = c - R
        let series =
            numerator == 0
            ? 0
            : SpecialFunctions.hypergeometricSeries(
                numerator,
                epsilon,
                c,
                z,
                firstTerm: numerator * z / c,
                firstIndex: 1
            )
        return c * (leading - Double.exp(epsilon * logOneMinusZ) * series)
    }

    static let logitRule = GaussLegendreRule(order: 64)

    /// E[(1/p)(1 − (1 + p t/scale)^−R)] for p ~ Beta(a, B) by a 64-point Gauss–Legendre rule in
    /// q = logit p, where the Beta weight p^a (1 − p)^B is log-concave and bell-shaped around
    /// q₀ = log(a/B) with width ≈ √(1/a + 1/B); the rule spans q₀ ± 14 widths and divides by its own
    /// integral of the weight, so the normalising Beta function is never needed.
    static func quadratureExpectation(shape R: Double, scale: Double, a: Double, b B: Double, t: Double) -> Double {
        let k = t / scale
        let center = Double.log(a / B)
        let width = 14 * (1 / a + 1 / B).squareRoot()
        func logWeight(_ q: Double) -> Double {
            -a * Double.log(onePlus: Double.exp(-q)) - B * Double.log(onePlus: Double.exp(q))
        }
        let peak = logWeight(center)
        var numerator = 0.0
        var denominator = 0.0
        for (node, weight) in zip(logitRule.nodes, logitRule.weights) {
            let q = center + width * node
            let p = 1 / (1 + Double.exp(-q))
            let w = weight * Double.exp(logWeight(q) - peak)
            numerator += w * -Double.expMinusOne(-R * Double.log(onePlus: p * k)) / p
            denominator += w
        }
        return numerator / denominator
    }

    func expectedPurchases(during t: Double) -> Double {
        // A new customer survives the extra dropout chance with probability b/(a+b), after which p ~ Beta(a, b+k).
        let survival = extraDropoutChances == 0 ? 1 : b / (a + b)
        return survival
            * Self.activeCustomerExpectation(shape: r, scale: alpha, a: a, b: b + Double(extraDropoutChances), t: t)
    }

    func expectedPurchasesIfActive(during t: Double, given history: PurchaseHistory) -> Double {
        let x = Double(history.frequency)
        return Self.activeCustomerExpectation(
            shape: r + x,
            scale: alpha + history.age,
            a: a,
            b: b + x + Double(extraDropoutChances),
            t: t
        )
    }

    /// P(X(t) = n) = B(a, b+n+k)/B(a,b) · NB(n) + [n+k > 0] B(a+1, b+n+k−1)/B(a,b) · P(N ≥ n), where
    /// NB is the negative binomial count of a customer who never drops out (FHL 2005, eq. 8).
    func probabilityOfPurchases(_ n: Int, during t: Double) -> Double {
        guard n >= 0 else { return 0 }
        guard t > 0 else { return n == 0 ? 1 : 0 }
        let k = Double(extraDropoutChances)
        let count = Double(n)
        let logBetaAB = SpecialFunctions.logBeta(a, b)
        let logP = Double.log(alpha / (alpha + t))
        let logQ = Double.log(t / (alpha + t))
        func logNegativeBinomial(_ j: Double) -> Double {
            Double.logGamma(r + j) - Double.logGamma(r) - Double.logGamma(j + 1) + r * logP + j * logQ
        }
        var probability =
            Double.exp(SpecialFunctions.logBeta(a, b + count + k) - logBetaAB + logNegativeBinomial(count))
        if count + k > 0 {
            let weight = Double.exp(SpecialFunctions.logBeta(a + 1, b + count + k - 1) - logBetaAB)
            probability += weight * Self.negativeBinomialTail(atLeast: n, r: r, logP: logP, logQ: logQ)
        }
        return probability
    }

    /// P(N ≥ n) for N ~ NegBin(r, p = e^logP): 1 − head when the head is small, else the tail summed
    /// directly, so small tails keep full relative precision.
    static func negativeBinomialTail(atLeast n: Int, r: Double, logP: Double, logQ: Double) -> Double {
        guard n > 0 else { return 1 }
        var term = Double.exp(r * logP)
        let q = Double.exp(logQ)
        var head = 0.0
        for j in 0..<n {
            head += term
            term *= (r + Double(j)) / Double(j + 1) * q
        }
        if head <= 0.5 { return 1 - head }
        var tail = 0.0
        var j = n
        var current = Double.exp(
            Double.logGamma(r + Double(n)) - Double.logGamma(r) - Double.logGamma(Double(n) + 1) + r * logP
                + Double(n) * logQ
        )
        while current > 1e-18 * tail && j < n + 10_000_000 {
            tail += current
            current *= (r + Double(j)) / Double(j + 1) * q
            j += 1
            if current == 0 { break }
        }
        return tail
    }

    /// Draws a history: exponential inter-purchase times with rate λ; after each repeat purchase
    /// (and, for MBG/NBD, after the first) the customer drops out with probability p.
    func sampleHistory(age: Double, using generator: inout some RandomNumberGenerator) -> PurchaseHistory {
        let rate = RandomVariates.gamma(shape: r, rate: alpha, using: &generator)
        let dropout = RandomVariates.beta(a, b, using: &generator)
        var frequency = 0
        var recency = 0.0
        var time = 0.0
        if extraDropoutChances > 0 && RandomVariates.bernoulli(dropout, using: &generator) {
            return PurchaseHistory(frequency: 0, recency: 0, age: age)
        }
        while true {
            time += RandomVariates.exponential(rate: rate, using: &generator)
            if time > age { break }
            frequency += 1
            recency = time
            if RandomVariates.bernoulli(dropout, using: &generator) { break }
        }
        return PurchaseHistory(frequency: frequency, recency: recency, age: age)
    }

    /// Starting points on data rescaled so that the largest T is 10: the purchase rate matched to the
    /// mean repeat rate, a few dropout shapes.
    static func startingPoints(for data: CompressedHistories) -> [[Double]] {
        let customers = data.customerCount
        let meanAge = zip(data.rows, data.counts).reduce(0) { $0 + $1.0.age * $1.1 } / customers
        let rate = Swift.max(data.totalRepeatPurchases / customers / Swift.max(meanAge, 1e-12), 1e-6)
        return [[1, 1 / rate, 1, 3], [0.5, 0.5 / rate, 0.5, 2], [2, 2 / rate, 2, 5], [1, 1, 1, 1]]
    }
}
