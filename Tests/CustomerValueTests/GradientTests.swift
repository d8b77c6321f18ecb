import CustomerValue
import Testing

/// Analytic gradients against central finite differences (step 1e-6 relative; tolerance 1e-6 relative).
struct GradientTests {
    func checkGradient<Model: LikelihoodModel>(
        _ model: Model.Type,
        at parameters: [Double],
        data: Model.FitData,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var analytic = [Double](repeating: 0, count: parameters.count)
        _ = Model.logLikelihood(parameters, of: data, gradient: &analytic)
        var scratch = analytic
        for index in parameters.indices {
            let step = 1e-6 * parameters[index]
            var plus = parameters
            var minus = parameters
            plus[index] += step
            minus[index] -= step
            let numeric =
                (Model.logLikelihood(plus, of: data, gradient: &scratch)
                    - Model.logLikelihood(minus, of: data, gradient: &scratch)) / (2 * step)
            let scale = max(abs(numeric), 1e-3 * analytic.map(abs).max()!)
            #expect(
                abs(analytic[index] - numeric) / scale <= 1e-6,
                "\(Model.identifier) ∂/∂\(Model.parameterNames[index]): analytic \(analytic[index]) vs numeric \(numeric)",
                sourceLocation: sourceLocation
            )
        }
    }

    @Test func continuousTimeModels() throws {
        let data = try Fixtures.cdnowHistories()
        checkGradient(BetaGeometricNBD.self, at: [0.3, 5, 0.9, 2.1], data: data)
        checkGradient(ModifiedBetaGeometricNBD.self, at: [0.5, 6, 0.9, 1.6], data: data)
        checkGradient(ParetoNBD.self, at: [0.6, 11, 0.5, 10], data: data)
        checkGradient(ParetoNBD.self, at: [0.6, 0.01, 2, 0.02], data: data)
    }

    @Test func spendRenewalAndDiscreteModels() throws {
        let spend = try CompressedSpend(
            Fixtures.cdnow().map { SpendHistory(frequency: $0.history.frequency, meanSpend: $0.meanSpend) }
        )
        checkGradient(GammaGamma.self, at: [6, 3.7, 15], data: spend)
        checkGradient(
            BetaGeometricBetaBinomial.self,
            at: [1.2, 0.75, 0.65, 2.8],
            data: try BetaGeometricBetaBinomialTests.donations()
        )
        checkGradient(
            ShiftedBetaGeometric.self,
            at: [0.7, 1.2],
            data: try CohortSurvival(survivors: [1000, 631, 468, 382, 326, 289, 262, 241])
        )
    }
}

/// The analytic Hessians (BG/NBD, MBG/NBD) against central differences of the analytic gradient
/// (step 1e-6 relative; tolerance 1e-6 of the largest entry in the row).
struct HessianTests {
    func checkHessian<Model: LikelihoodModel>(_ model: Model.Type, at parameters: [Double], data: Model.FitData) throws
    {
        let n = parameters.count
        var gradient = [Double](repeating: 0, count: n)
        var hessian = [[Double]](repeating: gradient, count: n)
        _ = try #require(Model.logLikelihood(parameters, of: data, gradient: &gradient, hessian: &hessian))
        for j in 0..<n {
            let step = 1e-6 * parameters[j]
            var plus = parameters
            var minus = parameters
            plus[j] += step
            minus[j] -= step
            var upper = gradient
            var lower = gradient
            _ = Model.logLikelihood(plus, of: data, gradient: &upper)
            _ = Model.logLikelihood(minus, of: data, gradient: &lower)
            for i in 0..<n {
                let numeric = (upper[i] - lower[i]) / (2 * step)
                let scale = hessian[i].map(abs).max()!
                #expect(
                    abs(hessian[i][j] - numeric) <= 1e-6 * scale,
                    "\(Model.identifier) H[\(i)][\(j)]: analytic \(hessian[i][j]) vs numeric \(numeric)"
                )
            }
        }
    }

    @Test func betaGeometricFamily() throws {
        let data = try Fixtures.cdnowHistories()
        try checkHessian(BetaGeometricNBD.self, at: [0.3, 5, 0.9, 2.1], data: data)
        try checkHessian(ModifiedBetaGeometricNBD.self, at: [0.5, 6, 0.9, 1.6], data: data)
        let large = CompressedHistories([
            PurchaseHistory(frequency: 200, recency: 38, age: 40), PurchaseHistory(frequency: 0, recency: 0, age: 12),
            PurchaseHistory(frequency: 3, recency: 2, age: 30),
        ])
        try checkHessian(BetaGeometricNBD.self, at: [0.25, 4, 0.8, 2.5], data: large)
        try checkHessian(ModifiedBetaGeometricNBD.self, at: [0.25, 4, 0.8, 2.5], data: large)
    }
}

extension HessianTests {
    @Test func gammaGamma() throws {
        let spend = try CompressedSpend(
            Fixtures.cdnow().map { SpendHistory(frequency: $0.history.frequency, meanSpend: $0.meanSpend) }
        )
        try checkHessian(GammaGamma.self, at: [6, 3.7, 15], data: spend)
        try checkHessian(GammaGamma.self, at: [0.4, 1.2, 300], data: spend)
    }
}
