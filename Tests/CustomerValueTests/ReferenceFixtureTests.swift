import CustomerValue
import Testing

/// Checks against the 40-digit mpmath values of `scripts/generate-reference-values.py`.
struct ReferenceFixtureTests {
    struct ParetoCase: Decodable {
        var r, alpha, s, beta, x, tx, T, logLikelihood, pAlive: Double
        var gradient: [Double]
    }

    struct ExpectationCase: Decodable {
        var r, alpha, a, b, x, tx, T, t, conditionalExpectation, unconditionalExpectation: Double
    }

    /// The Pareto/NBD likelihood integral over the whole parameter range, including α or β ≪ T where the
    /// integrand is sharply peaked: log-likelihood to 1e-10 relative, gradient and P(alive) to 1e-8.
    @Test func paretoLikelihoodGradientAndPAliveMatchMpmath() throws {
        let cases = try Fixtures.json("pareto_nbd_reference.json", as: [ParetoCase].self)
        #expect(cases.count >= 100)
        var worstLikelihood = 0.0
        for item in cases {
            let model = try ParetoNBD(r: item.r, alpha: item.alpha, s: item.s, beta: item.beta)
            let history = PurchaseHistory(frequency: Int(item.x), recency: item.tx, age: item.T)
            let logLikelihood = model.logLikelihood(history)
            let error = abs(logLikelihood - item.logLikelihood) / max(abs(item.logLikelihood), 1)
            worstLikelihood = max(worstLikelihood, error)
            #expect(error <= 1e-10, "LL \(logLikelihood) vs \(item.logLikelihood) at \(item)")
            var gradient = [0.0, 0, 0, 0]
            _ = ParetoNBD.logLikelihood(model.parameters, of: CompressedHistories([history]), gradient: &gradient)
            for (observed, expected) in zip(gradient, item.gradient) {
                let scale = max(abs(expected), 1e-6 * item.gradient.map(abs).max()!, 1e-300)
                #expect(abs(observed - expected) / scale <= 1e-8, "gradient \(gradient) vs \(item.gradient) at \(item)")
            }
            let alive = model.probabilityAlive(history)
            #expect(abs(alive - item.pAlive) <= 1e-10 + 1e-8 * item.pAlive, "P(alive) \(alive) vs \(item.pAlive)")
        }
        print("Pareto/NBD worst LL relative error vs mpmath: \(worstLikelihood)")
    }

    @Test(arguments: ["bgnbd_expectation_reference.json", "mbgnbd_expectation_reference.json"])
    func expectationsMatchMpmathIncludingZNearOne(file: String) throws {
        let cases = try Fixtures.json(file, as: [ExpectationCase].self)
        #expect(cases.count >= 20)
        for item in cases {
            let history = PurchaseHistory(frequency: Int(item.x), recency: item.tx, age: item.T)
            let (conditional, unconditional): (Double, Double)
            if file.hasPrefix("mbg") {
                let model = try ModifiedBetaGeometricNBD(r: item.r, alpha: item.alpha, a: item.a, b: item.b)
                (conditional, unconditional) = (
                    model.expectedPurchases(during: item.t, given: history), model.expectedPurchases(during: item.t)
                )
            } else {
                let model = try BetaGeometricNBD(r: item.r, alpha: item.alpha, a: item.a, b: item.b)
                (conditional, unconditional) = (
                    model.expectedPurchases(during: item.t, given: history), model.expectedPurchases(during: item.t)
                )
            }
            expectClose(conditional, item.conditionalExpectation, relativeTolerance: 1e-10, "\(item)")
            expectClose(unconditional, item.unconditionalExpectation, relativeTolerance: 1e-10, "\(item)")
        }
    }
}
