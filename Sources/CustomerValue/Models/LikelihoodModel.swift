public import PatronNumerics
import RealModule

/// A model with positive parameters fitted by maximum likelihood on some data.
public protocol LikelihoodModel: Sendable, Hashable, Codable {
    /// The data the model is fitted on.
    associatedtype FitData

    /// The parameter names in the order of ``parameters`` (e.g. `r, alpha, a, b`).
    static var parameterNames: [String] { get }
    /// The model's name as users type it (e.g. `bgnbd`).
    static var identifier: String { get }
    /// Creates a model from parameters in ``parameterNames`` order; all must be finite and > 0.
    init(parameters: [Double]) throws(CustomerValueError)
    /// The parameters in ``parameterNames`` order.
    var parameters: [Double] { get }
    /// The total log-likelihood of `data`, and its gradient with respect to the parameters.
    static func logLikelihood(_ parameters: [Double], of data: FitData, gradient: inout [Double]) -> Double
    /// The total log-likelihood with its gradient and exact Hessian, or `nil` when the model has no
    /// analytic Hessian (the default). With one, fits use Newton's method and standard errors use it.
    static func logLikelihood(
        _ parameters: [Double],
        of data: FitData,
        gradient: inout [Double],
        hessian: inout [[Double]]
    ) -> Double?
}

extension LikelihoodModel {
    /// No analytic Hessian.
    public static func logLikelihood(
        _ parameters: [Double],
        of data: FitData,
        gradient: inout [Double],
        hessian: inout [[Double]]
    ) -> Double? { nil }

    /// Checks that `parameters` has the right count and that all are finite and > 0.
    static func validate(_ parameters: [Double]) throws(CustomerValueError) {
        guard parameters.count == parameterNames.count else {
            throw CustomerValueError(
                .invalidParameter,
                "\(identifier) needs \(parameterNames.count) parameters (\(parameterNames.joined(separator: ", "))), got \(parameters.count)"
            )
        }
        for (name, value) in zip(parameterNames, parameters) where !(value.isFinite && value > 0) {
            throw CustomerValueError(
                .invalidParameter,
                "\(identifier) parameter \(name) must be finite and > 0, got \(value)"
            )
        }
    }

    /// The parameters keyed by name.
    public var namedParameters: [String: Double] {
        Dictionary(uniqueKeysWithValues: zip(Self.parameterNames, parameters))
    }

    /// The total log-likelihood of `data` at this model's parameters.
    public func logLikelihood(of data: FitData) -> Double {
        var gradient = [Double](repeating: 0, count: Self.parameterNames.count)
        return Self.logLikelihood(parameters, of: data, gradient: &gradient)
    }
}

/// Options of a maximum-likelihood fit.
public struct FitOptions: Sendable {
    /// Convergence threshold on ‖∇‖∞ of the mean log-likelihood in log-parameters.
    public var gradientTolerance: Double
    /// Iteration budget of each BFGS run.
    public var maximumIterations: Int
    /// Starting points (natural parameters, original time scale) tried before the built-in ones.
    public var startingPoints: [[Double]]

    /// Creates options; the defaults converge on CDNOW and simulated data.
    public init(gradientTolerance: Double = 5e-9, maximumIterations: Int = 500, startingPoints: [[Double]] = []) {
        self.gradientTolerance = gradientTolerance
        self.maximumIterations = maximumIterations
        self.startingPoints = startingPoints
    }
}

/// A fitted model with its standard errors and the facts of the fit.
public struct ModelFit<Model: LikelihoodModel>: Sendable {
    /// The fitted model.
    public var model: Model
    /// Standard errors of the parameters, by the delta method on log-parameters (inverse Hessian
    /// of the total log-likelihood); `nil` when the Hessian is not positive definite.
    public var standardErrors: [Double]?
    /// Total log-likelihood at the optimum, on the original time scale.
    public var logLikelihood: Double
    /// BFGS iterations of the winning run.
    public var iterations: Int
    /// Objective evaluations over all runs.
    public var evaluations: Int
    /// ‖∇‖∞ of the mean log-likelihood in log-parameters at the optimum.
    public var gradientNorm: Double
    /// How the optimiser stopped.
    public var status: MinimizationStatus
    /// Whether the optimum is trusted: converged, or stopped at the likelihood's noise floor with the
    /// optimum within 1e-3 log-likelihood units by the quadratic model.
    public var isConverged: Bool
    /// The number of customers (or observations) fitted.
    public var observations: Double
    /// What a user should know about this fit: a boundary optimum, unidentified parameters.
    public var warnings: [String]
    /// Wall-clock seconds of the fit.
    public var seconds: Double
}

/// The maximum-likelihood engine shared by every model: BFGS in log-parameters on (optionally)
/// rescaled data, best of several starts, then log-likelihood and Hessian on the original data.
enum MaximumLikelihood {
    static func fit<Model: LikelihoodModel>(
        _ model: Model.Type,
        data: Model.FitData,
        observations: Double,
        scaledData: Model.FitData,
        toScaled: ([Double]) -> [Double],
        fromScaled: ([Double]) -> [Double],
        defaultStarts: [[Double]],
        options: FitOptions
    ) throws(CustomerValueError) -> ModelFit<Model> {
        let clock = ContinuousClock()
        let started = clock.now
        guard observations > 0 else {
            throw CustomerValueError(.invalidData, "no customers to fit \(Model.identifier) on")
        }
        let dimension = Model.parameterNames.count
        let minimizer = BFGSMinimizer(
            gradientTolerance: options.gradientTolerance,
            maximumIterations: options.maximumIterations
        )
        var best: MinimizationResult?
        var evaluations = 0
        let starts = options.startingPoints.map(toScaled) + defaultStarts
        let hasHessian =
            Self.newtonObjective(Model.self, scaledData: scaledData, observations: observations)(
                starts.first?.map { Double.log($0) } ?? [],
                nil
            ) != nil
        for start in starts where start.count == dimension && start.allSatisfy({ $0 > 0 && $0.isFinite }) {
            guard hasHessian else { break }
            let objective = Self.newtonObjective(Model.self, scaledData: scaledData, observations: observations)
            let result = NewtonMinimizer(
                gradientTolerance: options.gradientTolerance,
                maximumIterations: options.maximumIterations
            )
            .minimize(from: start.map { Double.log($0) }) { point, gradient, hessian in
                objective(point, (gradient, hessian)).map { value in
                    gradient = value.gradient
                    hessian = value.hessian
                    return value.value
                } ?? .infinity
            }
            evaluations += result.evaluations
            guard result.value.isFinite else { continue }
            if best == nil || result.value < best!.value { best = result }
            if Self.isTrusted(result) { break }
        }
        for start in starts where start.count == dimension && start.allSatisfy({ $0 > 0 && $0.isFinite }) {
            if let best, Self.isTrusted(best) { break }
            let objective = { (logParameters: [Double], gradient: inout [Double]) -> Double in
                let parameters = logParameters.map { Double.exp($0) }
                guard parameters.allSatisfy({ $0 > 0 && $0.isFinite }) else { return .infinity }
                var naturalGradient = [Double](repeating: 0, count: dimension)
                let value = Model.logLikelihood(parameters, of: scaledData, gradient: &naturalGradient)
                for index in 0..<dimension {
                    gradient[index] = -naturalGradient[index] * parameters[index] / observations
                }
                return -value / observations
            }
            let logStart = start.map { Double.log($0) }
            let initial = Self.finiteDifferenceInverseHessian(at: logStart, objective: objective)
            evaluations += dimension + 1
            let result = minimizer.minimize(from: logStart, initialInverseHessian: initial, objective: objective)
            evaluations += result.evaluations
            guard result.value.isFinite else { continue }
            if best == nil || result.value < best!.value { best = result }
            if Self.isTrusted(result) { break }
        }
        guard let best else {
            throw CustomerValueError(
                .fitFailed,
                "\(Model.identifier): the log-likelihood is not finite at any starting point; check the data"
            )
        }
        let parameters = fromScaled(best.point.map { Double.exp($0) })
        let fitted = try Model(parameters: parameters)
        let logLikelihood = fitted.logLikelihood(of: data)
        guard logLikelihood.isFinite else {
            throw CustomerValueError(.fitFailed, "\(Model.identifier): the log-likelihood at the optimum is not finite")
        }
        let curvature = Self.curvature(Model.self, parameters: parameters, data: data)
        let standardErrors = curvature.map { covariance in
            (0..<dimension).map { parameters[$0] * covariance.matrix[$0][$0].squareRoot() }
        }
        // A run that stopped at the noise floor of the likelihood is still trusted when the quadratic model
        // says the optimum is within 1e-3 log-likelihood units: ½ gᵀ(−H)⁻¹g < 1e-3 (total scale).
        let gap = curvature.map { covariance in
            let total = covariance.gradient
            var quadratic = 0.0
            for i in 0..<dimension {
                for j in 0..<dimension { quadratic += total[i] * covariance.matrix[i][j] * total[j] }
            }
            return 0.5 * quadratic
        }
        let isConverged = Self.isTrusted(best) || (best.status != .nonFiniteStart && (gap ?? .infinity) < 1e-3)
        var warnings: [String] = []
        for (name, value) in zip(Model.parameterNames, parameters) where abs(Double.log(value)) > 25 {
            warnings.append(
                "\(name) = \(value) is at the edge of its range: the likelihood keeps rising toward a boundary, so the data do not identify this model"
            )
        }
        if standardErrors == nil {
            warnings.append(
                "the Hessian is not negative definite at the optimum: no standard errors (some parameters are not identified)"
            )
        }
        return ModelFit(
            model: fitted,
            standardErrors: standardErrors,
            logLikelihood: logLikelihood,
            iterations: best.iterations,
            evaluations: evaluations,
            gradientNorm: best.gradientNorm,
            status: best.status,
            isConverged: isConverged && warnings.isEmpty,
            observations: observations,
            warnings: warnings,
            seconds: Self.seconds(clock.now - started)
        )
    }

    /// (∇²f)⁻¹ at `point` by forward differences of the gradient (step 1e-4), symmetrised; `nil` when not
    /// positive definite. Starting BFGS from it saves about half of the iterations of a scaled identity.
    static func finiteDifferenceInverseHessian(
        at point: [Double],
        objective: (_ point: [Double], _ gradient: inout [Double]) -> Double
    ) -> [[Double]]? {
        let n = point.count
        var center = [Double](repeating: 0, count: n)
        guard objective(point, &center).isFinite else { return nil }
        var hessian = [[Double]](repeating: center, count: n)
        let step = 1e-4
        for j in 0..<n {
            var shifted = point
            shifted[j] += step
            var gradient = center
            guard objective(shifted, &gradient).isFinite else { return nil }
            for i in 0..<n { hessian[i][j] = (gradient[i] - center[i]) / step }
        }
        SymmetricMatrix.symmetrize(&hessian)
        return SymmetricMatrix.inversePositiveDefinite(hessian)
    }

    /// The mean negative log-likelihood in θ = log p with its gradient and Hessian, for Newton's method;
    /// `nil` when the model has no analytic Hessian or the value is not finite. The second argument is
    /// ignored (it only fixes the shapes).
    static func newtonObjective<Model: LikelihoodModel>(
        _ model: Model.Type,
        scaledData: Model.FitData,
        observations: Double
    ) -> ([Double], ([Double], [[Double]])?) -> (value: Double, gradient: [Double], hessian: [[Double]])? {
        { logParameters, _ in
            let dimension = Model.parameterNames.count
            guard logParameters.count == dimension else { return nil }
            let p = logParameters.map { Double.exp($0) }
            guard p.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
            var gradient = [Double](repeating: 0, count: dimension)
            var hessian = [[Double]](repeating: [Double](repeating: 0, count: dimension), count: dimension)
            guard let value = Model.logLikelihood(p, of: scaledData, gradient: &gradient, hessian: &hessian),
                value.isFinite
            else { return nil }
            // d/dθᵢ = pᵢ ∂/∂pᵢ; d²/dθᵢdθⱼ = pᵢpⱼ ∂²/∂pᵢ∂pⱼ + δᵢⱼ pᵢ ∂/∂pᵢ; negated and per customer.
            var thetaHessian = hessian
            for i in 0..<dimension {
                for j in 0..<dimension {
                    thetaHessian[i][j] =
                        -(p[i] * p[j] * hessian[i][j] + (i == j ? p[i] * gradient[i] : 0)) / observations
                }
            }
            let thetaGradient = (0..<dimension).map { -p[$0] * gradient[$0] / observations }
            return (-value / observations, thetaGradient, thetaHessian)
        }
    }

    /// A run is trusted (no further start is tried) when it converged, or stopped at the noise floor of
    /// the likelihood with ‖∇‖∞ < 1e-6 (per customer, in log-parameters).
    static func isTrusted(_ result: MinimizationResult) -> Bool {
        result.status == .converged || (result.status != .nonFiniteStart && result.gradientNorm < 1e-6)
    }

    /// The covariance of θ = log p, (−H)⁻¹, where H is the Hessian of the total log-likelihood by
    /// central differences of the analytic gradient, and the total gradient in θ at the optimum.
    /// Standard errors follow by the delta method, SE(pᵢ) = pᵢ √((−H)⁻¹ᵢᵢ). `nil` when −H is not
    /// positive definite.
    static func curvature<Model: LikelihoodModel>(
        _ model: Model.Type,
        parameters: [Double],
        data: Model.FitData
    ) -> (matrix: [[Double]], gradient: [Double])? {
        let dimension = parameters.count
        let step = 1e-5
        func logGradient(_ logParameters: [Double]) -> [Double] {
            let natural = logParameters.map { Double.exp($0) }
            var gradient = [Double](repeating: 0, count: dimension)
            _ = Model.logLikelihood(natural, of: data, gradient: &gradient)
            return zip(gradient, natural).map { $0 * $1 }
        }
        let center = parameters.map { Double.log($0) }
        var natural = [Double](repeating: 0, count: dimension)
        var exact = [[Double]](repeating: natural, count: dimension)
        if Model.logLikelihood(parameters, of: data, gradient: &natural, hessian: &exact) != nil {
            var negative = exact
            for i in 0..<dimension {
                for j in 0..<dimension {
                    negative[i][j] =
                        -(parameters[i] * parameters[j] * exact[i][j] + (i == j ? parameters[i] * natural[i] : 0))
                }
            }
            guard let covariance = SymmetricMatrix.inversePositiveDefinite(negative) else { return nil }
            return (covariance, zip(natural, parameters).map { $0 * $1 })
        }
        let negativeHessian = centralDifferenceNegativeHessian(at: center, step: step, gradient: logGradient)
        guard let covariance = SymmetricMatrix.inversePositiveDefinite(negativeHessian) else { return nil }
        return (covariance, logGradient(center))
    }

    /// −∇²f at `center` by central differences of the gradient of f (step `step` in each coordinate),
    /// symmetrised.
    static func centralDifferenceNegativeHessian(
        at center: [Double],
        step: Double,
        gradient: ([Double]) -> [Double]
    ) -> [[Double]] {
        let n = center.count
        var negativeHessian = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for j in 0..<n {
            var plus = center
            var minus = center
            plus[j] += step
            minus[j] -= step
            let upper = gradient(plus)
            let lower = gradient(minus)
            for i in 0..<n { negativeHessian[i][j] = -(upper[i] - lower[i]) / (2 * step) }
        }
        SymmetricMatrix.symmetrize(&negativeHessian)
        return negativeHessian
    }

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
