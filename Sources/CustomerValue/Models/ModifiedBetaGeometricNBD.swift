/// The MBG/NBD model: as BG/NBD, but a customer may also drop out right after the first purchase,
///
/// Source: Batislam, Denizel & Filiztekin (2007). Times are in the unit of the fitted data: α has that unit; r, a and b are
/// dimensionless. The mathematics is shared with its sibling model (BetaGeometricModel).
public struct ModifiedBetaGeometricNBD: BetaGeometricModel {
    /// Shape of the gamma distribution of purchase rates.
    public var r: Double
    /// Scale (in time units) of the gamma distribution of purchase rates.
    public var alpha: Double
    /// First shape of the beta distribution of the dropout probability.
    public var a: Double
    /// Second shape of the beta distribution of the dropout probability.
    public var b: Double

    /// `mbgnbd`.
    public static let identifier = "mbgnbd"
    /// 1 dropout chance(s) before the first repeat purchase.
    public static let extraDropoutChances = 1

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
