/// BG/NBD and MBG/NBD: the two models of the beta-geometric family share their parameters
/// (r, α, a, b), their mathematics (``BetaGeometricFamily``) and everything below; they differ only in
/// ``extraDropoutChances``.
public protocol BetaGeometricModel: RepeatPurchaseModel {
    /// Shape of the gamma distribution of purchase rates.
    var r: Double { get }
    /// Scale (in time units) of the gamma distribution of purchase rates.
    var alpha: Double { get }
    /// First shape of the beta distribution of the dropout probability.
    var a: Double { get }
    /// Second shape of the beta distribution of the dropout probability.
    var b: Double { get }
    /// Dropout chances a customer has before the first repeat purchase: 0 for BG/NBD, 1 for MBG/NBD.
    static var extraDropoutChances: Int { get }
}

extension BetaGeometricModel {
    /// `r, alpha, a, b`.
    public static var parameterNames: [String] { ["r", "alpha", "a", "b"] }

    /// `[r, alpha, a, b]`.
    public var parameters: [Double] { [r, alpha, a, b] }

    var family: BetaGeometricFamily {
        BetaGeometricFamily(r: r, alpha: alpha, a: a, b: b, extraDropoutChances: Self.extraDropoutChances)
    }

    /// The total log-likelihood of compressed histories and its gradient in (r, α, a, b).
    public static func logLikelihood(
        _ parameters: [Double],
        of data: CompressedHistories,
        gradient: inout [Double]
    ) -> Double {
        BetaGeometricFamily.logLikelihood(
            parameters,
            of: data,
            extraDropoutChances: extraDropoutChances,
            gradient: &gradient
        )
    }

    /// The total log-likelihood with its gradient and exact Hessian in (r, α, a, b).
    public static func logLikelihood(
        _ parameters: [Double],
        of data: CompressedHistories,
        gradient: inout [Double],
        hessian: inout [[Double]]
    ) -> Double? {
        BetaGeometricFamily.logLikelihood(
            parameters,
            of: data,
            extraDropoutChances: extraDropoutChances,
            gradient: &gradient,
            hessian: &hessian
        )
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
        try data.requireRepeatPurchases(for: identifier)
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
