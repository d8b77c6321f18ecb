import PatronNumerics
import RealModule

/// One customer's spend: x repeat purchases with mean value m̄ (of the repeat purchases).
public struct SpendHistory: Hashable, Sendable, Codable {
    /// Number of repeat purchases x (> 0 for fitting).
    public var frequency: Int
    /// Mean value m̄ of the repeat purchases (> 0 for fitting).
    public var meanSpend: Double

    /// Creates a spend history.
    public init(frequency: Int, meanSpend: Double) {
        self.frequency = frequency
        self.meanSpend = meanSpend
    }
}

/// Unique spend histories with counts (only customers with x > 0 and m̄ > 0 carry information).
public struct CompressedSpend: Sendable {
    /// The unique rows.
    public let rows: [SpendHistory]
    /// The number of customers per row.
    public let counts: [Double]
    /// The distinct frequencies, ascending.
    let distinctFrequencies: [Int]
    /// For each row, the index of its frequency in ``distinctFrequencies``.
    let frequencySlot: [Int]
    /// log m̄ per row.
    let logMeanSpend: [Double]

    /// Compresses spend histories, keeping those with x > 0.
    /// - Throws: `.invalidData` if a kept row has a mean spend that is not finite and > 0.
    public init(_ histories: some Sequence<SpendHistory>) throws(CustomerValueError) {
        var index = RowIndex(expectedCount: 1024)
        var unique: [SpendHistory] = []
        var totals: [Double] = []
        for history in histories where history.frequency > 0 {
            guard history.meanSpend.isFinite, history.meanSpend > 0 else {
                throw CustomerValueError(
                    .invalidData,
                    "Gamma-Gamma needs a mean spend > 0 for customers with repeat purchases, got \(history.meanSpend)"
                )
            }
            let slot = index.slot(for: (UInt64(history.frequency), history.meanSpend.bitPattern, 0))
            if slot == unique.count {
                unique.append(history)
                totals.append(1)
            } else {
                totals[slot] += 1
            }
        }
        let order = unique.indices.sorted {
            (unique[$0].frequency, unique[$0].meanSpend) < (unique[$1].frequency, unique[$1].meanSpend)
        }
        self.init(rows: order.map { unique[$0] }, counts: order.map { totals[$0] })
    }

    /// Builds from rows sorted by frequency.
    private init(rows: [SpendHistory], counts: [Double]) {
        self.rows = rows
        self.counts = counts
        var distinct: [Int] = []
        frequencySlot = rows.map { row in
            if distinct.last != row.frequency { distinct.append(row.frequency) }
            return distinct.count - 1
        }
        distinctFrequencies = distinct
        logMeanSpend = rows.map { Double.log($0.meanSpend) }
    }

    /// The same data with spend divided by `factor`.
    func rescaled(by factor: Double) -> Self {
        Self(rows: rows.map { SpendHistory(frequency: $0.frequency, meanSpend: $0.meanSpend / factor) }, counts: counts)
    }

    /// The number of customers.
    public var customerCount: Double { counts.reduce(0, +) }
}

/// The Gamma-Gamma model of spend per transaction: each transaction's value is Gamma(p, ν) with the
/// customer's rate ν ~ Gamma(q, γ), independent of the purchase process.
///
/// Source: Fader, Hardie & Lee (2005b) and Fader & Hardie (2013, note 025); the likelihood is that of
/// the mean spend m̄ given x: log f = log Γ(px+q) − log Γ(px) − log Γ(q) + q log γ + (px−1) log m̄
/// + px log x − (px+q) log(x m̄ + γ). Money is in the unit of the data.
public struct GammaGamma: LikelihoodModel {
    /// Shape of the per-transaction spend distribution.
    public var p: Double
    /// Shape of the distribution of the customers' spend rates ν.
    public var q: Double
    /// Scale (in money units) of the distribution of ν.
    public var gamma: Double

    /// `p, q, gamma`.
    public static let parameterNames = ["p", "q", "gamma"]
    /// `gg`.
    public static let identifier = "gg"

    /// Creates the model (all parameters finite and > 0).
    public init(p: Double, q: Double, gamma: Double) throws(CustomerValueError) {
        try self.init(parameters: [p, q, gamma])
    }

    /// Creates the model from `[p, q, gamma]`.
    public init(parameters: [Double]) throws(CustomerValueError) {
        try Self.validate(parameters)
        p = parameters[0]
        q = parameters[1]
        gamma = parameters[2]
    }

    /// `[p, q, gamma]`.
    public var parameters: [Double] { [p, q, gamma] }

    /// The total log-likelihood and its gradient in (p, q, γ).
    public static func logLikelihood(
        _ parameters: [Double],
        of data: CompressedSpend,
        gradient: inout [Double]
    ) -> Double {
        let sums = logLikelihoodSums(parameters, of: data)
        for index in 0..<3 { gradient[index] = sums[index + 1] }
        return sums[0]
    }

    /// The total log-likelihood with its gradient and exact Hessian in (p, q, γ).
    public static func logLikelihood(
        _ parameters: [Double],
        of data: CompressedSpend,
        gradient: inout [Double],
        hessian: inout [[Double]]
    ) -> Double? {
        let sums = logLikelihoodSums(parameters, of: data)
        for index in 0..<3 { gradient[index] = sums[index + 1] }
        var lane = 4
        for i in 0..<3 {
            for j in i..<3 {
                hessian[i][j] = sums[lane]
                hessian[j][i] = sums[lane]
                lane += 1
            }
        }
        return sums[0]
    }

    /// Lanes: 0 the log-likelihood, 1–3 the gradient in (p, q, γ), 4–9 the Hessian's upper triangle
    /// (pp, pq, pγ, qq, qγ, γγ). Gamma, digamma and trigamma terms depend on x only and are computed
    /// once per distinct x.
    static func logLikelihoodSums(_ parameters: [Double], of data: CompressedSpend) -> SIMD16<Double> {
        let p = parameters[0]
        let q = parameters[1]
        let gamma = parameters[2]
        let logGammaQ = Double.logGamma(q)
        let digammaQ = SpecialFunctions.digamma(q)
        let trigammaQ = SpecialFunctions.trigamma(q)
        let logScale = Double.log(gamma)
        let perFrequency = data.distinctFrequencies.map { frequency in
            let x = Double(frequency)
            let px = p * x
            let psiSum = SpecialFunctions.digamma(px + q)
            let trigammaSum = SpecialFunctions.trigamma(px + q)
            return (
                constant: Double.logGamma(px + q) - Double.logGamma(px) - logGammaQ + q * logScale + px * Double.log(x),
                dP: x * (psiSum - SpecialFunctions.digamma(px) + Double.log(x)),
                dQ: psiSum - digammaQ + logScale,
                dPP: x * x * (trigammaSum - SpecialFunctions.trigamma(px)),
                dPQ: x * trigammaSum,
                dQQ: trigammaSum - trigammaQ
            )
        }
        var total = SIMD16<Double>(repeating: 0)
        for index in data.rows.indices {
            let row = data.rows[index]
            let terms = perFrequency[data.frequencySlot[index]]
            let x = Double(row.frequency)
            let px = p * x
            let logMean = data.logMeanSpend[index]
            let spendPlusScale = x * row.meanSpend + gamma
            let inverse = 1 / spendPlusScale
            let logTotal = Double.log(spendPlusScale)
            let shape = px + q
            let value: Double = terms.constant + (px - 1) * logMean - shape * logTotal
            let gP: Double = terms.dP + x * (logMean - logTotal)
            let gQ: Double = terms.dQ - logTotal
            let gGamma: Double = q / gamma - shape * inverse
            let hGammaGamma: Double = -q / (gamma * gamma) + shape * inverse * inverse
            var row16 = SIMD16<Double>(repeating: 0)
            row16[0] = value
            row16[1] = gP
            row16[2] = gQ
            row16[3] = gGamma
            row16[4] = terms.dPP
            row16[5] = terms.dPQ
            row16[6] = -x * inverse
            row16[7] = terms.dQQ
            row16[8] = 1 / gamma - inverse
            row16[9] = hGammaGamma
            total += data.counts[index] * row16
        }
        return total
    }

    /// E[M] = pγ/(q − 1), the population mean spend per transaction (`.infinity` when q ≤ 1).
    public var populationMeanSpend: Double { q > 1 ? p * gamma / (q - 1) : .infinity }

    /// E[M | x, m̄] = p(γ + x m̄)/(px + q − 1): the customer's expected spend per transaction, a
    /// weighted mean of the population mean and the customer's own mean. For x = 0 it is the
    /// population mean.
    public func expectedSpend(_ history: SpendHistory) -> Double {
        guard history.frequency > 0 else { return populationMeanSpend }
        let x = Double(history.frequency)
        let denominator = p * x + q - 1
        return denominator > 0 ? p * (gamma + x * history.meanSpend) / denominator : .infinity
    }

    /// Draws the mean spend of `frequency` transactions (the sum of x Gamma(p, ν) values is Gamma(px, ν)).
    public func sampleMeanSpend(frequency: Int, using generator: inout some RandomNumberGenerator) -> Double {
        guard frequency > 0 else { return 0 }
        let rate = RandomVariates.gamma(shape: q, rate: gamma, using: &generator)
        return RandomVariates.gamma(shape: p * Double(frequency), rate: rate, using: &generator) / Double(frequency)
    }

    /// Fits by maximum likelihood on data rescaled so that the mean spend is about 1 (γ is scaled back).
    public static func fit(
        _ data: CompressedSpend,
        options: FitOptions = FitOptions()
    ) throws(CustomerValueError) -> ModelFit<Self> {
        let customers = data.customerCount
        guard customers > 0 else {
            throw CustomerValueError(.invalidData, "Gamma-Gamma needs customers with at least one repeat purchase")
        }
        let meanSpend = zip(data.rows, data.counts).reduce(0) { $0 + $1.0.meanSpend * $1.1 } / customers
        let scale = meanSpend
        let scaled = data.rescaled(by: scale)
        return try MaximumLikelihood.fit(
            Self.self,
            data: data,
            observations: customers,
            scaledData: scaled,
            toScaled: { [$0[0], $0[1], $0[2] / scale] },
            fromScaled: { [$0[0], $0[1], $0[2] * scale] },
            defaultStarts: [[1, 1, 1], [2, 3, 2], [5, 4, 3], [0.5, 2, 0.5]],
            options: options
        )
    }
}
