/// Customers who share one covariate vector z, with their purchase histories: the unit a
/// covariate model is fitted on (one group per level for categorical covariates, one per customer
/// for continuous ones).
public struct CovariateGroup: Sendable {
    /// The covariate vector z (dummies for categorical covariates, centred and scaled numbers).
    public var covariates: [Double]
    /// The group's histories.
    public var histories: CompressedHistories

    /// Creates a group.
    public init(covariates: [Double], histories: CompressedHistories) {
        self.covariates = covariates
        self.histories = histories
    }
}
