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
        var counts: [SpendHistory: Double] = [:]
        for history in histories where history.frequency > 0 {
            guard history.meanSpend.isFinite, history.meanSpend > 0 else {
                throw CustomerValueError(
                    .invalidData,
                    "Gamma-Gamma needs a mean spend > 0 for customers with repeat purchases, got \(history.meanSpend)"
                )
            }
            counts[history, default: 0] += 1
        }
        let sorted = counts.sorted { ($0.key.frequency, $0.key.meanSpend) < ($1.key.frequency, $1.key.meanSpend) }
        self.init(rows: sorted.map(\.key), counts: sorted.map(\.value))
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
        let p = parameters[0]
        let q = parameters[1]
        let gamma = parameters[2]
        let logGammaQ = Double.logGamma(q)
        let digammaQ = SpecialFunctions.digamma(q)
        let logScale = Double.log(gamma)
        // Gamma and digamma terms depend on x only: once per distinct x.
        let perFrequency = data.distinctFrequencies.map { frequency in
            let x = Double(frequency)
            let px = p * x
            let psiSum = SpecialFunctions.digamma(px + q)
            return (
                constant: Double.logGamma(px + q) - Double.logGamma(px) - logGammaQ + q * logScale + px * Double.log(x),
                dP: x * (psiSum - SpecialFunctions.digamma(px) + Double.log(x)),
                dQ: psiSum - digammaQ + logScale
            )
        }
        var total = 0.0
        var gP = 0.0
        var gQ = 0.0
        var gGamma = 0.0
        for index in data.rows.indices {
            let row = data.rows[index]
            let count = data.counts[index]
            let terms = perFrequency[data.frequencySlot[index]]
            let x = Double(row.frequency)
            let px = p * x
            let logMean = data.logMeanSpend[index]
            let spendPlusScale = x * row.meanSpend + gamma
            let logTotal = Double.log(spendPlusScale)
            total += count * (terms.constant + (px - 1) * logMean - (px + q) * logTotal)
            gP += count * (terms.dP + x * (logMean - logTotal))
            gQ += count * (terms.dQ - logTotal)
            gGamma += count * (q / gamma - (px + q) / spendPlusScale)
        }
        gradient[0] = gP
        gradient[1] = gQ
        gradient[2] = gGamma
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
