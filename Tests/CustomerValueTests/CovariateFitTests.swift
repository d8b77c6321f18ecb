import CustomerValue
import Foundation
import PatronNumerics
import Testing

/// Covariate models recover known effects from seeded simulated data: each coefficient within 4 of
/// its standard errors of the truth; the likelihood-ratio test rejects "no effect" when there is
/// one and does not when there is none.
struct CovariateFitTests {
    /// Three groups of covariate vectors: a dummy (e.g. "email" vs "paid search") and a numeric
    /// covariate taking −1, 0, 1 (e.g. standardised first-order value).
    static let vectors: [[Double]] = [[0, -1], [0, 0], [0, 1], [1, -1], [1, 0], [1, 1]]

    func simulate<Model: CovariateLinkedModel>(
        _ type: Model.Type,
        theta: [Double],
        perGroup: Int,
        seed: UInt64
    ) throws -> [CovariateGroup] {
        try Self.vectors.enumerated().map { index, z in
            let model = try CovariateFit<Model>.model(theta: theta, for: z)
            let histories = model.sampleHistories(
                count: perGroup,
                age: { $0.uniform(20...52) },
                seed: seed &+ UInt64(index)
            )
            return CovariateGroup(covariates: z, histories: CompressedHistories(histories))
        }
    }

    func checkRecovery<Model: CovariateLinkedModel>(_ fit: CovariateFit<Model>, truth: [Double]) throws {
        #expect(fit.isConverged, "\(fit.warnings)")
        let covariance = try #require(fit.covariance)
        for index in truth.indices {
            let z = abs(fit.estimate[index] - truth[index]) / covariance[index][index].squareRoot()
            #expect(z < 4, "\(Model.identifier) θ[\(index)]: \(fit.estimate[index]) vs truth \(truth[index])")
        }
        #expect(fit.likelihoodRatio > 0)
    }

    /// Pareto/NBD: the dummy raises purchases ×1.5 (γ = log 1.5) and halves dropout; the numeric
    /// covariate lowers purchases (γ = −0.2) and has no dropout effect.
    @Test func paretoNBDRecoversPurchaseAndDropoutEffects() throws {
        let theta = [log(0.6), log(8.0), log(0.9), log(12.0), log(1.5), -0.2, log(0.5), 0]
        let groups = try simulate(ParetoNBD.self, theta: theta, perGroup: 3_000, seed: 11)
        let fit = try CovariateFit<ParetoNBD>.fit(groups, covariateNames: ["email", "value"])
        try checkRecovery(fit, truth: theta)
        #expect(fit.likelihoodRatioPValue < 1e-6)
        let dropoutOfValue = try #require(fit.waldTest(indices: [fit.thetaIndex(link: 1, covariate: 1)]))
        #expect(dropoutOfValue.pValue > 0.001, "no true dropout effect of value: p = \(dropoutOfValue.pValue)")
    }

    /// BG/NBD: the dummy raises purchases ×1.4 and the dropout shapes move so that the mean dropout
    /// probability falls; the numeric covariate has no effect at all.
    @Test func bgnbdRecoversEffectsAndFindsNoneWhereThereIsNone() throws {
        let theta = [log(0.5), log(6.0), log(0.8), log(2.5), log(1.4), 0, -0.4, 0, 0.3, 0]
        let groups = try simulate(BetaGeometricNBD.self, theta: theta, perGroup: 5_000, seed: 21)
        let fit = try CovariateFit<BetaGeometricNBD>.fit(groups, covariateNames: ["email", "value"])
        try checkRecovery(fit, truth: theta)
        let emailModel = try fit.model(for: [1, 0])
        #expect(emailModel.dropoutRatio(to: fit.baseModel) < 1)
        let valueEffects = [0, 1, 2].map { fit.thetaIndex(link: $0, covariate: 1) }
        let noEffect = try #require(fit.waldTest(indices: valueEffects))
        #expect(noEffect.pValue > 0.001, "the numeric covariate has no true effect: p = \(noEffect.pValue)")
    }

    @Test func mismatchedCovariatesAreRejectedWithTheGroupNamed() {
        let groups = [
            CovariateGroup(
                covariates: [1, 2],
                histories: CompressedHistories([PurchaseHistory(frequency: 1, recency: 1, age: 2)])
            )
        ]
        #expect(throws: CustomerValueError.self) {
            try CovariateFit<ParetoNBD>.fit(groups, covariateNames: ["email"])
        }
        do {
            _ = try CovariateFit<ParetoNBD>.fit(groups, covariateNames: ["email"])
        } catch {
            #expect(error.message.contains("group 0 has 2 covariates, expected 1"))
        }
    }
}
