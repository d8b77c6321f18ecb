import CustomerValue
import PatronNumerics
import Testing

/// Fitting recovers known parameters from 60,000 simulated customers (seeded). Tolerance: each estimate
/// within 4 of its own standard errors of the truth, and the truth's LL within a χ²₄ 99.9 % bound of the
/// optimum (½ · 18.47).
struct ParameterRecoveryTests {
    static let customers = 60_000

    func checkRecovery<Model: LikelihoodModel>(_ fit: ModelFit<Model>, truth: Model, data: Model.FitData) throws {
        #expect(fit.isConverged)
        let errors = try #require(fit.standardErrors)
        for (index, name) in Model.parameterNames.enumerated() {
            let z = abs(fit.model.parameters[index] - truth.parameters[index]) / errors[index]
            #expect(
                z < 4,
                "\(Model.identifier) \(name): \(fit.model.parameters[index]) vs \(truth.parameters[index]) (SE \(errors[index]))"
            )
        }
        let gap = fit.logLikelihood - truth.logLikelihood(of: data)
        #expect(
            gap >= -1e-6 && gap < 18.47 / 2,
            "LL at the optimum must be ≥ LL at the truth and close to it: gap \(gap)"
        )
    }

    func simulated(_ model: some RepeatPurchaseModel, seed: UInt64) -> CompressedHistories {
        CompressedHistories(model.sampleHistories(count: Self.customers, age: { $0.uniform(20...52) }, seed: seed))
    }

    @Test func bgnbd() throws {
        let truth = try BetaGeometricNBD(r: 0.5, alpha: 6, a: 0.8, b: 2.5)
        let data = simulated(truth, seed: 1)
        try checkRecovery(try BetaGeometricNBD.fit(data), truth: truth, data: data)
    }

    @Test func mbgnbd() throws {
        let truth = try ModifiedBetaGeometricNBD(r: 0.6, alpha: 5, a: 1.2, b: 3)
        let data = simulated(truth, seed: 2)
        try checkRecovery(try ModifiedBetaGeometricNBD.fit(data), truth: truth, data: data)
    }

    @Test func paretoNBD() throws {
        let truth = try ParetoNBD(r: 0.7, alpha: 9, s: 0.8, beta: 14)
        let data = simulated(truth, seed: 3)
        try checkRecovery(try ParetoNBD.fit(data), truth: truth, data: data)
    }

    @Test func gammaGamma() throws {
        let truth = try GammaGamma(p: 6, q: 4, gamma: 15)
        var generator = SeededGenerator(seed: 4)
        let rows = (0..<Self.customers).map { index in
            let frequency = 1 + index % 10
            return SpendHistory(
                frequency: frequency,
                meanSpend: truth.sampleMeanSpend(frequency: frequency, using: &generator)
            )
        }
        let data = try CompressedSpend(rows)
        try checkRecovery(try GammaGamma.fit(data), truth: truth, data: data)
    }

    @Test func bgbb() throws {
        let truth = try BetaGeometricBetaBinomial(alpha: 1.2, beta: 0.75, gamma: 0.66, delta: 2.8)
        var generator = SeededGenerator(seed: 5)
        let rows = (0..<Self.customers).map { _ in truth.sampleHistory(opportunities: 6, using: &generator) }
        let data = CompressedOpportunities(rows: rows, counts: Array(repeating: 1, count: rows.count))
        try checkRecovery(try BetaGeometricBetaBinomial.fit(data), truth: truth, data: data)
    }

    @Test func sbg() throws {
        let truth = try ShiftedBetaGeometric(alpha: 0.7, beta: 1.2)
        var generator = SeededGenerator(seed: 6)
        let data = try CohortSurvival(
            survivors: truth.sampleSurvival(size: Self.customers, periods: 7, using: &generator)
        )
        try checkRecovery(try ShiftedBetaGeometric.fit(data), truth: truth, data: data)
    }
}
