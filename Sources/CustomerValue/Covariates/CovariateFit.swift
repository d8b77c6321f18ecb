import Dispatch
import PatronNumerics
import RealModule

/// A purchase model with time-invariant covariates fitted by maximum likelihood, with standard errors,
/// Wald tests and the likelihood-ratio test against the same model without covariates.
///
/// Customer i's parameters are the base parameters with each linked parameter multiplied by
/// exp(sign · γᵀz_i) (``CovariateLink``; CLVTools, Bachmann, Meierer & Näf 2021). The likelihood of a
/// group is the base model's, so the fit reuses each model's exact likelihood and gradient.
public struct CovariateFit<Model: CovariateLinkedModel>: Sendable {
    /// The covariate names, in the order of z.
    public var covariateNames: [String]
    /// The model at z = 0 (the reference customer).
    public var baseModel: Model
    /// Standard errors of the base parameters (delta method), when the Hessian is definite.
    public var baseStandardErrors: [Double]?
    /// γ per link (``CovariateLinkedModel/covariateLinks`` order) and covariate.
    public var coefficients: [[Double]]
    /// Standard errors of ``coefficients``, when the Hessian is definite.
    public var coefficientErrors: [[Double]]?
    /// The estimate θ̂ = (log base parameters, γ of link 0, γ of link 1, …).
    public var estimate: [Double]
    /// The covariance of θ̂, (−∇²LL)⁻¹, when definite.
    public var covariance: [[Double]]?
    /// Total log-likelihood with covariates.
    public var logLikelihood: Double
    /// Total log-likelihood of the same model without covariates (fitted on the same customers).
    public var baselineLogLikelihood: Double
    /// Customers fitted.
    public var customers: Double
    /// BFGS iterations.
    public var iterations: Int
    /// Whether the optimiser converged.
    public var isConverged: Bool
    /// What a user should know (unidentified coefficients, boundary optima).
    public var warnings: [String]
    /// Wall-clock seconds.
    public var seconds: Double

    /// The likelihood-ratio statistic 2(LL − LL₀).
    public var likelihoodRatio: Double { 2 * (logLikelihood - baselineLogLikelihood) }
    /// Degrees of freedom of the likelihood-ratio test: one coefficient per link and covariate.
    public var degreesOfFreedom: Int { Model.covariateLinks.count * covariateNames.count }
    /// P(χ² > LR): small when the covariates explain the data better than chance.
    public var likelihoodRatioPValue: Double {
        Distributions.chiSquareSurvival(Swift.max(0, likelihoodRatio), degreesOfFreedom: degreesOfFreedom)
    }

    /// The index in θ of γ for `link` and `covariate`.
    public func thetaIndex(link: Int, covariate: Int) -> Int {
        Model.parameterNames.count + link * covariateNames.count + covariate
    }

    /// The Wald test that the coefficients at `indices` of θ are all zero: (statistic, df, p-value),
    /// or `nil` without a covariance.
    public func waldTest(indices: [Int]) -> (statistic: Double, degreesOfFreedom: Int, pValue: Double)? {
        guard let covariance, !indices.isEmpty else { return nil }
        let block = indices.map { i in indices.map { j in covariance[i][j] } }
        guard let inverse = SymmetricMatrix.inversePositiveDefinite(block) else { return nil }
        let values = indices.map { estimate[$0] }
        var statistic = 0.0
        for i in values.indices {
            for j in values.indices { statistic += values[i] * inverse[i][j] * values[j] }
        }
        return (statistic, indices.count, Distributions.chiSquareSurvival(statistic, degreesOfFreedom: indices.count))
    }

    /// The model of a customer with covariates `z` at the estimate.
    public func model(for z: [Double]) throws(CustomerValueError) -> Model {
        try Self.model(theta: estimate, for: z)
    }

    /// The model of a customer with covariates `z` at any θ = (log base parameters, γ…), e.g. a draw
    /// from the estimate's sampling distribution, or the truth of a simulation.
    public static func model(theta: [Double], for z: [Double]) throws(CustomerValueError) -> Model {
        guard theta.count == Model.parameterNames.count + Model.covariateLinks.count * z.count else {
            throw CustomerValueError(
                .invalidParameter,
                "\(Model.identifier) with \(z.count) covariates needs \(Model.parameterNames.count + Model.covariateLinks.count * z.count) values of θ, got \(theta.count)"
            )
        }
        return try Model(parameters: parameters(theta: theta, covariates: z, count: z.count))
    }

    /// `draws` values of θ from N(θ̂, covariance) (Krinsky & Robb 1986), or `nil` without a covariance.
    public func thetaDraws(_ draws: Int, seed: UInt64) -> [[Double]]? {
        guard let covariance, let factor = SymmetricMatrix.choleskyFactor(covariance) else { return nil }
        var generator = SeededGenerator(seed: seed)
        let n = estimate.count
        return (0..<draws).map { _ in
            let normals = (0..<n).map { _ in RandomVariates.standardNormal(using: &generator) }
            return (0..<n).map { i in estimate[i] + (0...i).reduce(0) { $0 + factor[i][$1] * normals[$1] } }
        }
    }

    static func parameters(theta: [Double], covariates z: [Double], count: Int) -> [Double] {
        let base = Model.parameterNames.count
        var parameters = theta[0..<base].map { Double.exp($0) }
        for (index, link) in Model.covariateLinks.enumerated() {
            var exponent = 0.0
            for k in 0..<count { exponent += theta[base + index * count + k] * z[k] }
            parameters[link.parameterIndex] *= Double.exp(link.sign * exponent)
        }
        return parameters
    }

    /// Fits the model with covariates on `groups`: first without covariates (the likelihood-ratio
    /// baseline and the start), then BFGS on θ = (log parameters, γ) with the analytic gradient.
    /// - Throws: ``CustomerValueError`` when the groups are empty, their covariate counts differ from
    ///   `covariateNames`, or the fit fails.
    public static func fit(
        _ groups: [CovariateGroup],
        covariateNames: [String],
        options: FitOptions = FitOptions()
    ) throws(CustomerValueError) -> Self {
        let clock = ContinuousClock()
        let started = clock.now
        let count = covariateNames.count
        guard count > 0 else { throw CustomerValueError(.invalidData, "no covariates to fit \(Model.identifier) with") }
        if let bad = groups.firstIndex(where: { $0.covariates.count != count }) {
            throw CustomerValueError(
                .invalidData,
                "covariate group \(bad) has \(groups[bad].covariates.count) covariates, expected \(count) (\(covariateNames.joined(separator: ", ")))"
            )
        }
        if let bad = groups.firstIndex(where: { !$0.covariates.allSatisfy(\.isFinite) }) {
            throw CustomerValueError(.invalidData, "covariate group \(bad) has a non-finite covariate")
        }
        let pooled = CompressedHistories(
            rows: groups.flatMap(\.histories.rows),
            counts: groups.flatMap(\.histories.counts)
        )
        let baseline = try Model.fit(pooled, options: options)
        let start =
            baseline.model.parameters.map { Double.log($0) }
            + [Double](repeating: 0, count: Model.covariateLinks.count * count)
        let customers = pooled.customerCount
        let objective = { (theta: [Double], gradient: inout [Double]) -> Double in
            let (value, total) = Self.logLikelihood(theta: theta, groups: groups, count: count)
            guard value.isFinite else { return .infinity }
            for index in gradient.indices { gradient[index] = -total[index] / customers }
            return -value / customers
        }
        let initial = MaximumLikelihood.finiteDifferenceInverseHessian(at: start, objective: objective)
        let result = BFGSMinimizer(
            gradientTolerance: options.gradientTolerance,
            maximumIterations: options.maximumIterations
        )
        .minimize(from: start, initialInverseHessian: initial, objective: objective)
        guard result.value.isFinite else {
            throw CustomerValueError(
                .fitFailed,
                "\(Model.identifier) with covariates: the log-likelihood is not finite"
            )
        }
        let theta = result.point
        let covariance = Self.covariance(theta: theta, groups: groups, count: count)
        let base = Model.parameterNames.count
        let model = try Model(parameters: theta[0..<base].map { Double.exp($0) })
        let coefficients = Model.covariateLinks.indices.map { link in
            (0..<count).map { theta[base + link * count + $0] }
        }
        let errors = covariance.map { matrix in
            Model.covariateLinks.indices.map { link in
                (0..<count).map { matrix[base + link * count + $0][base + link * count + $0].squareRoot() }
            }
        }
        var warnings: [String] = []
        if covariance == nil {
            warnings.append(
                "the Hessian is not negative definite at the optimum: some coefficients are not identified (a level with too few customers?)"
            )
        }
        for (link, row) in zip(Model.covariateLinks, coefficients) {
            for (name, value) in zip(covariateNames, row) where abs(value) > 10 {
                warnings.append(
                    "the \(link.process.rawValue) coefficient of \(name) is \(value): it runs to a boundary"
                )
            }
        }
        let converged = result.status == .converged || result.gradientNorm < 1e-6
        if !converged { warnings.append("the optimiser stopped before converging (\(result.status))") }
        return CovariateFit(
            covariateNames: covariateNames,
            baseModel: model,
            baseStandardErrors: covariance.map { matrix in
                (0..<base).map { model.parameters[$0] * matrix[$0][$0].squareRoot() }
            },
            coefficients: coefficients,
            coefficientErrors: errors,
            estimate: theta,
            covariance: covariance,
            logLikelihood: -result.value * customers,
            baselineLogLikelihood: baseline.logLikelihood,
            customers: customers,
            iterations: result.iterations,
            isConverged: converged,
            warnings: warnings,
            seconds: MaximumLikelihood.seconds(clock.now - started)
        )
    }

    /// The total log-likelihood at θ and its gradient in θ; groups are evaluated in parallel chunks.
    static func logLikelihood(theta: [Double], groups: [CovariateGroup], count: Int) -> (Double, [Double]) {
        let dimension = theta.count
        let base = Model.parameterNames.count
        let chunks = Swift.max(1, Swift.min(64, groups.count / 256))
        let size = (groups.count + chunks - 1) / chunks
        let slots = ResultSlots<[Double]>(count: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            var sums = [Double](repeating: 0, count: dimension + 1)
            var gradient = [Double](repeating: 0, count: base)
            for group in groups[(chunk * size)..<Swift.min(groups.count, (chunk + 1) * size)] {
                let parameters = Self.parameters(theta: theta, covariates: group.covariates, count: count)
                guard parameters.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                    sums[0] = -.infinity
                    break
                }
                let value = Model.logLikelihood(parameters, of: group.histories, gradient: &gradient)
                sums[0] += value
                for j in 0..<base { sums[1 + j] += gradient[j] * parameters[j] }
                for (index, link) in Model.covariateLinks.enumerated() {
                    let derivative = gradient[link.parameterIndex] * parameters[link.parameterIndex] * link.sign
                    for k in 0..<count { sums[1 + base + index * count + k] += derivative * group.covariates[k] }
                }
            }
            slots.store([sums], at: chunk)
        }
        let totals = slots.joined().reduce(into: [Double](repeating: 0, count: dimension + 1)) { total, sums in
            for index in total.indices { total[index] += sums[index] }
        }
        return (totals[0].isNaN ? -.infinity : totals[0], Array(totals[1...]))
    }

    /// (−∇²LL)⁻¹ at θ by central differences of the analytic gradient (step 1e-5), or `nil` when not
    /// positive definite.
    static func covariance(theta: [Double], groups: [CovariateGroup], count: Int) -> [[Double]]? {
        let negativeHessian = MaximumLikelihood.centralDifferenceNegativeHessian(at: theta, step: 1e-5) {
            logLikelihood(theta: $0, groups: groups, count: count).1
        }
        return SymmetricMatrix.inversePositiveDefinite(negativeHessian)
    }
}
