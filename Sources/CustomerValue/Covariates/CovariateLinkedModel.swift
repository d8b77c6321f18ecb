/// A parameter of a purchase model that time-invariant covariates shift, CLVTools-style:
/// the customer's parameter is `parameter · exp(sign · γᵀz)`.
public struct CovariateLink: Sendable, Hashable, Codable {
    /// The process the parameter belongs to.
    public enum Process: String, Sendable, Hashable, Codable {
        /// How often an active customer buys (a positive γ raises the purchase rate).
        case purchase
        /// How soon a customer drops out (a positive γ raises the dropout rate or probability).
        case dropout
    }

    /// The process.
    public var process: Process
    /// The shifted parameter's index in the model's ``LikelihoodModel/parameterNames``.
    public var parameterIndex: Int
    /// +1 or −1: the direction in which γ moves the parameter.
    public var sign: Double

    /// Creates a link.
    public init(process: Process, parameterIndex: Int, sign: Double) {
        self.process = process
        self.parameterIndex = parameterIndex
        self.sign = sign
    }
}

/// A purchase model whose purchase and dropout processes can depend on customer covariates.
public protocol CovariateLinkedModel: RepeatPurchaseModel {
    /// The parameters covariates shift, in the order of the coefficient blocks of a fit.
    static var covariateLinks: [CovariateLink] { get }
    /// The mean purchase rate while active, r/α, relative to another model of the same kind: the
    /// figure a purchase effect is reported in.
    func purchaseRatio(to baseline: Self) -> Double
    /// The mean dropout probability or rate of the model relative to another of the same kind:
    /// the figure a dropout effect is reported in.
    func dropoutRatio(to baseline: Self) -> Double
}

extension ParetoNBD: CovariateLinkedModel {
    /// α_i = α·exp(−γ_pᵀz) (mean purchase rate r/α_i ∝ exp(γ_pᵀz)) and β_i = β·exp(−γ_dᵀz) (mean
    /// dropout rate s/β_i ∝ exp(γ_dᵀz)), as CLVTools' `pnbd` with static covariates.
    public static let covariateLinks = [
        CovariateLink(process: .purchase, parameterIndex: 1, sign: -1),
        CovariateLink(process: .dropout, parameterIndex: 3, sign: -1),
    ]

    /// The ratio of mean purchase rates, (r/α) / (r₀/α₀).
    public func purchaseRatio(to baseline: ParetoNBD) -> Double { (r / alpha) / (baseline.r / baseline.alpha) }

    /// The ratio of mean dropout rates, (s/β) / (s₀/β₀).
    public func dropoutRatio(to baseline: ParetoNBD) -> Double { (s / beta) / (baseline.s / baseline.beta) }
}

extension BetaGeometricModel {
    /// α_i = α·exp(−γ_pᵀz), a_i = a·exp(γ_aᵀz), b_i = b·exp(γ_bᵀz), as CLVTools' `bgnbd` with static
    /// covariates: the dropout process has two coefficient blocks.
    public static var covariateLinks: [CovariateLink] {
        [
            CovariateLink(process: .purchase, parameterIndex: 1, sign: -1),
            CovariateLink(process: .dropout, parameterIndex: 2, sign: 1),
            CovariateLink(process: .dropout, parameterIndex: 3, sign: 1),
        ]
    }

    /// The ratio of mean purchase rates, (r/α) / (r₀/α₀).
    public func purchaseRatio(to baseline: Self) -> Double { (r / alpha) / (baseline.r / baseline.alpha) }

    /// The ratio of mean dropout probabilities per purchase, (a/(a+b)) / (a₀/(a₀+b₀)).
    public func dropoutRatio(to baseline: Self) -> Double {
        (a / (a + b)) / (baseline.a / (baseline.a + baseline.b))
    }
}

extension BetaGeometricNBD: CovariateLinkedModel {}
extension ModifiedBetaGeometricNBD: CovariateLinkedModel {}
