/// The BG/NBD model: purchases at rate λ ~ Gamma(r, α) while active; after each repeat purchase the
///
/// Source: Fader, Hardie & Lee (2005), "Counting your customers the easy way". Times are in the unit of the fitted data: α has that unit; r, a and b are
/// dimensionless. The mathematics is shared with its sibling model (BetaGeometricModel).
public struct BetaGeometricNBD: BetaGeometricModel {
    /// Shape of the gamma distribution of purchase rates.
    public var r: Double
    /// Scale (in time units) of the gamma distribution of purchase rates.
    public var alpha: Double
    /// First shape of the beta distribution of the dropout probability.
    public var a: Double
    /// Second shape of the beta distribution of the dropout probability.
    public var b: Double

    /// `bgnbd`.
    public static let identifier = "bgnbd"
    /// 0 dropout chance(s) before the first repeat purchase.
    public static let extraDropoutChances = 0

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
}
