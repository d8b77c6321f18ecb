import Foundation
import Testing

@testable import CustomerValue

/// Data that cannot identify a model get an error or a warning, never a silent number.
struct DegenerateDataTests {
    @Test func noRepeatPurchasesIsAnError() {
        let data = CompressedHistories([
            PurchaseHistory(frequency: 0, recency: 0, age: 10), PurchaseHistory(frequency: 0, recency: 0, age: 20),
        ])
        #expect(throws: CustomerValueError.self) { try BetaGeometricNBD.fit(data) }
        #expect(throws: CustomerValueError.self) { try ModifiedBetaGeometricNBD.fit(data) }
        #expect(throws: CustomerValueError.self) { try ParetoNBD.fit(data) }
        #expect(throws: CustomerValueError.self) { try BetaGeometricNBD.fit(CompressedHistories([])) }
    }

    @Test func unidentifiedFitsCarryWarningsAndAreNotConverged() throws {
        let one = try GammaGamma.fit(CompressedSpend([SpendHistory(frequency: 3, meanSpend: 5)]))
        #expect(!one.isConverged)
        #expect(!one.warnings.isEmpty)
        let single = try BetaGeometricNBD.fit(
            CompressedHistories([PurchaseHistory(frequency: 3, recency: 10, age: 10)])
        )
        #expect(!single.isConverged)
        #expect(single.warnings.contains { $0.contains("not identified") || $0.contains("edge of its range") })
    }

    /// Data with almost no dropout drive BG/NBD's a and b to infinity (a fit on such data gave
    /// a = 2.1e7, b = 9.3e7), where the series for E[X(t) | active] needs ~(1 − z)^−ε terms and
    /// overflows. There the expectation is integrated over p in logit space instead.
    @Test func bgnbdPredictionsWithHugeDropoutParameters() throws {
        // Where both are valid (−ε log(1 − z) ≤ 50) the quadrature equals the series (relative 1e-8;
        // the logit tails of small a, b limit it to ~6e-9, far inside the models' 1e-3 tolerances).
        for (a, b, shape, scale, t) in [
            (2.0, 5.0, 0.5, 10.0, 52.0), (30, 100, 0.5, 10, 52), (15, 60, 3.3, 40, 156), (1.2, 0.8, 2, 5, 30),
        ] {
            let series = BetaGeometricFamily.activeCustomerExpectation(shape: shape, scale: scale, a: a, b: b, t: t)
            let quadrature = BetaGeometricFamily.quadratureExpectation(shape: shape, scale: scale, a: a, b: b, t: t)
            #expect(abs(quadrature / series - 1) < 1e-8, "a \(a), b \(b)")
        }
        // The limit a, b → ∞ with p = a/(a+b) fixed: E = (1 − (1 + p t/s)^−R)/p with R = r + x,
        // s = α + T (relative 1e-8).
        let history = PurchaseHistory(frequency: 3, recency: 20, age: 40)
        let huge = try BetaGeometricNBD(r: 0.33, alpha: 3.2, a: 2.1e9, b: 9.3e9)
        let p = 2.1 / (2.1 + 9.3)
        let limit = (1 - pow(1 + p * 52 / 43.2, -3.33)) / p
        #expect(abs(huge.expectedPurchasesIfActive(during: 52, given: history) / limit - 1) < 1e-8)
        let fitted = try BetaGeometricNBD(r: 0.327, alpha: 3.24, a: 2.12e7, b: 9.34e7)
        #expect(fitted.expectedPurchases(during: 156).isFinite)
        #expect(fitted.expectedPurchases(during: 156, given: history).isFinite)
    }

    @Test func wellPosedFitsHaveNoWarnings() throws {
        let fit = try BetaGeometricNBD.fit(Fixtures.cdnowHistories())
        #expect(fit.warnings.isEmpty)
        #expect(fit.isConverged)
    }

    @Test func invalidParametersAndHistoriesAreRejected() {
        #expect(throws: CustomerValueError.self) { try BetaGeometricNBD(r: -1, alpha: 1, a: 1, b: 1) }
        #expect(throws: CustomerValueError.self) { try ParetoNBD(r: 1, alpha: .nan, s: 1, beta: 1) }
        #expect(throws: CustomerValueError.self) { try PurchaseHistory.validated(frequency: 1, recency: 5, age: 4) }
        #expect(throws: CustomerValueError.self) { try PurchaseHistory.validated(frequency: 0, recency: 1, age: 4) }
        #expect(throws: CustomerValueError.self) {
            try OpportunityHistory.validated(frequency: 3, recency: 2, opportunities: 6)
        }
    }
}
