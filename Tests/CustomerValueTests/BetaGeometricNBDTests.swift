import CustomerValue
import Testing

/// Reference numbers from REFERENCE.md: Fader, Hardie & Lee (2005a) and R BTYD / CLVTools fits of CDNOW.
struct BetaGeometricNBDTests {
    let published = try! BetaGeometricNBD(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)

    @Test func fitReproducesPublishedCDNOWEstimates() throws {
        let fit = try BetaGeometricNBD.fit(Fixtures.cdnowHistories())
        #expect(fit.isConverged)
        // CLVTools: 0.24259, 4.41359, 0.79292, 2.42589; LL −9582.429 (tolerance: relative 1e-4 / 1e-3 absolute LL).
        expectClose(fit.model.r, 0.24259, relativeTolerance: 1e-4)
        expectClose(fit.model.alpha, 4.41359, relativeTolerance: 1e-4)
        expectClose(fit.model.a, 0.79292, relativeTolerance: 1e-4)
        expectClose(fit.model.b, 2.42589, relativeTolerance: 1e-4)
        // The summary file rounds times to 0.01 week, which moves the LL by 0.0034 (exact times: RFMSummaryTests).
        expectClose(fit.logLikelihood, -9582.429, absoluteTolerance: 5e-3)
        let errors = try #require(fit.standardErrors)
        for (observed, expected) in zip(errors, [0.012557, 0.378221, 0.185719, 0.705345]) {
            expectClose(observed, expected, relativeTolerance: 1e-3, "standard error")
        }
    }

    @Test func conditionalExpectationMatchesPaper() {
        let history = PurchaseHistory(frequency: 2, recency: 30.43, age: 38.86)
        expectClose(published.expectedPurchases(during: 39, given: history), 1.226, absoluteTolerance: 1e-3)
        let heavy = PurchaseHistory(frequency: 26, recency: 30.85714, age: 31)
        expectClose(published.expectedPurchases(during: 52, given: heavy), 25.75659, relativeTolerance: 1e-5)
        expectClose(published.probabilityAlive(heavy), 0.9688523, relativeTolerance: 1e-6)
    }

    /// The published unconditional figures are at the unrounded MLE, so they are checked at our own fit.
    @Test func unconditionalExpectationMatchesPaper() throws {
        let fitted = try BetaGeometricNBD.fit(RFMSummaryTests.cdnowSummary().histories).model
        for (t, expected) in [(1.0, 0.0532), (3, 0.1506), (32, 1.0437)] {
            expectClose(fitted.expectedPurchases(during: t), expected, absoluteTolerance: 1e-4)
        }
        // The paper's t = 78 figure is 4e-4 below every fit of CDNOW (CLVTools' parameters give 1.857929).
        expectClose(fitted.expectedPurchases(during: 78), 1.8576, absoluteTolerance: 5e-4)
        expectClose(fitted.expectedPurchases(during: 52), 1.444004, relativeTolerance: 2e-5)
    }

    @Test func probabilityMassFunctionMatchesReference() {
        expectClose(published.probabilityOfPurchases(0, during: 39), 0.5737864, relativeTolerance: 1e-6)
        expectClose(published.probabilityOfPurchases(10, during: 2), 1.07869e-07, relativeTolerance: 1e-5)
        expectClose(published.probabilityOfPurchases(11, during: 30), 0.0019995214, relativeTolerance: 1e-7)
        expectClose(published.probabilityOfPurchases(20, during: 30), 0.0002222260, relativeTolerance: 1e-6)
        let total = (0...2000).reduce(0.0) { $0 + published.probabilityOfPurchases($1, during: 39) }
        expectClose(total, 1, absoluteTolerance: 1e-9, "the PMF sums to 1")
    }

    @Test func singleRowLikelihoodIsExactAndDoesNotOverflow() throws {
        let model = try BetaGeometricNBD(r: 0.25, alpha: 4, a: 0.8, b: 2.5)
        expectClose(
            model.logLikelihood(PurchaseHistory(frequency: 0, recency: 0, age: 40)),
            -0.59947382,
            relativeTolerance: 1e-8
        )
        expectClose(
            model.logLikelihood(PurchaseHistory(frequency: 200, recency: 38, age: 40)),
            100.7957,
            absoluteTolerance: 1e-4
        )
    }
}
