import CustomerValue
import Testing

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
