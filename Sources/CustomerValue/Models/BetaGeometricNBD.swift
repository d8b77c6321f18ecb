/// The BG/NBD: purchases at rate λ ~ Gamma(r, α) while active; after each repeat purchase the customer drops out with probability p ~ Beta(a, b).
///
/// Source: Fader, Hardie \& Lee (2005), "Counting your customers the easy way". Times are in the unit of the fitted data; α has that unit, r, a and b are
/// dimensionless.
public struct BetaGeometricNBD: RepeatPurchaseModel {
    /// Shape of the gamma distribution of purchase rates.
    public var r: Double
    /// Scale (in time units) of the gamma distribution of purchase rates.
    public var alpha: Double
    /// First shape of the beta distribution of the dropout probability.
    public var a: Double
    /// Second shape of the beta distribution of the dropout probability.
    public var b: Double

    /// `r, alpha, a, b`.
    public static let parameterNames = ["r", "alpha", "a", "b"]
    /// `bgnbd`.
    public static let identifier = "bgnbd"

    /// Creates the model from its four parameters (all finite and > 0).
    public init(r: Double, alpha: Double, a: Double, b: Double) throws(CustomerValueError) {
        try self.init(parameters: [r, alpha, a, b])
    }

    /// Creates the model from `[r, alpha, a, b]`.
    public init(parameters: [Double]) throws(CustomerValueError) {
        try Self.validate(parameters)
        r = parameters[0]
        alpha = parameters[1]
        a = parameters[2]
        b = parameters[3]
    }

    /// `[r, alpha, a, b]`.
    public var parameters: [Double] { [r, alpha, a, b] }

    private var family: BetaGeometricFamily {
        BetaGeometricFamily(r: r, alpha: alpha, a: a, b: b, extraDropoutChances: 0)
    }

    /// The total log-likelihood of compressed histories and its gradient in (r, α, a, b).
    public static func logLikelihood(
        _ parameters: [Double],
        of data: CompressedHistories,
        gradient: inout [Double]
    ) -> Double {
        BetaGeometricFamily.logLikelihood(parameters, of: data, extraDropoutChances: 0, gradient: &gradient)
    }

    /// The log-likelihood of one history.
    public func logLikelihood(_ history: PurchaseHistory) -> Double { family.logLikelihood(history) }

    /// P(active at T | x, t_x, T).
    public func probabilityAlive(_ history: PurchaseHistory) -> Double { family.probabilityAlive(history) }

    /// E[X(t)] of a new customer.
    public func expectedPurchases(during t: Double) -> Double { family.expectedPurchases(during: t) }

    /// E[X(T, T + t) | x, t_x, T, active at T].
    public func expectedPurchasesIfActive(during t: Double, given history: PurchaseHistory) -> Double {
        family.expectedPurchasesIfActive(during: t, given: history)
    }

    /// P(X(t) = n) for a new customer.
    public func probabilityOfPurchases(_ n: Int, during t: Double) -> Double {
        family.probabilityOfPurchases(n, during: t)
    }

    /// Draws one history observed for `age`.
    public func sampleHistory(age: Double, using generator: inout some RandomNumberGenerator) -> PurchaseHistory {
        family.sampleHistory(age: age, using: &generator)
    }

    /// Fits by maximum likelihood on data rescaled so that the largest T is 10 (α is scaled back).
    public static func fit(
        _ data: CompressedHistories,
        options: FitOptions
    ) throws(CustomerValueError) -> ModelFit<Self> {
        let scale = Swift.max(data.maximumAge, 1e-12) / 10
        let scaled = data.rescaled(by: scale)
        return try MaximumLikelihood.fit(
            Self.self,
            data: data,
            observations: data.customerCount,
            scaledData: scaled,
            toScaled: { [$0[0], $0[1] / scale, $0[2], $0[3]] },
            fromScaled: { [$0[0], $0[1] * scale, $0[2], $0[3]] },
            defaultStarts: BetaGeometricFamily.startingPoints(for: scaled),
            options: options
        )
    }
}
