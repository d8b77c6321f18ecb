import RealModule

/// Quasi-Newton minimisation (BFGS) with a strong-Wolfe line search (Nocedal & Wright 2006,
/// algorithms 6.1, 3.5 and 3.6).
///
/// The objective returns its value and fills in its gradient. A non-finite value is treated as
/// "step too long": the line search shrinks the step, so an objective may return `.infinity`
/// outside its domain. The minimiser never throws; it reports what happened in
/// ``MinimizationResult/status``.
public struct BFGSMinimizer: Sendable {
    /// Stop when the largest absolute gradient component falls below this.
    public var gradientTolerance: Double
    /// Upper bound on BFGS iterations.
    public var maximumIterations: Int
    /// Upper bound on the length of a single step (in the optimiser's coordinates).
    public var maximumStepLength: Double

    /// Creates a minimiser.
    /// - Parameters:
    ///   - gradientTolerance: convergence threshold on ‖∇f‖∞ (default 1e-9).
    ///   - maximumIterations: iteration budget (default 500).
    ///   - maximumStepLength: the longest step tried in one line search (default 5).
    public init(gradientTolerance: Double = 1e-9, maximumIterations: Int = 500, maximumStepLength: Double = 5) {
        self.gradientTolerance = gradientTolerance
        self.maximumIterations = maximumIterations
        self.maximumStepLength = maximumStepLength
    }

    /// Minimises `objective` from `start`.
    /// - Parameters:
    ///   - start: the starting point; the objective must be finite there.
    ///   - objective: returns f(x) and writes ∇f(x) into its second argument (same count as x).
    /// - Returns: the best point found and how the search ended.
    ///   - initialInverseHessian: an estimate of (∇²f)⁻¹ at the start (e.g. from finite differences); the
    ///     scaled identity is used when `nil`.
    public func minimize(
        from start: [Double],
        initialInverseHessian: [[Double]]? = nil,
        objective: (_ point: [Double], _ gradient: inout [Double]) -> Double
    ) -> MinimizationResult {
        let dimension = start.count
        var point = start
        var gradient = [Double](repeating: 0, count: dimension)
        var evaluations = 1
        var value = objective(point, &gradient)
        guard value.isFinite, gradient.allSatisfy(\.isFinite) else {
            return MinimizationResult(
                point: point,
                value: value,
                gradient: gradient,
                iterations: 0,
                evaluations: evaluations,
                status: .nonFiniteStart
            )
        }
        var inverseHessian = initialInverseHessian ?? Self.identity(dimension)
        var isFirstStep = initialInverseHessian == nil
        var restarts = 0
        var iteration = 0
        var status = MinimizationStatus.maximumIterationsReached
        while iteration < maximumIterations {
            if Self.infinityNorm(gradient) <= gradientTolerance {
                status = .converged
                break
            }
            iteration += 1
            var direction = Self.multiply(inverseHessian, gradient).map { -$0 }
            var slope = Self.dot(direction, gradient)
            if slope >= 0 {
                inverseHessian = Self.identity(dimension)
                direction = gradient.map { -$0 }
                slope = Self.dot(direction, gradient)
            }
            let directionLength = Self.dot(direction, direction).squareRoot()
            var initialStep = 1.0
            if directionLength * initialStep > maximumStepLength { initialStep = maximumStepLength / directionLength }
            if isFirstStep { initialStep = Swift.min(initialStep, 1 / Swift.max(1, Self.infinityNorm(gradient))) }
            let found = withoutActuallyEscaping(objective) { escapable in
                StrongWolfeLineSearch(
                    point: point,
                    value: value,
                    slope: slope,
                    direction: direction,
                    objective: escapable
                )
                .run(initialStep: initialStep)
            }
            guard let accepted = found else {
                // A stale curvature model can point along a direction with no Wolfe step: restart from
                // steepest descent (scaled) before giving up.
                if restarts < 2 && !isFirstStep {
                    restarts += 1
                    inverseHessian = Self.identity(dimension)
                    isFirstStep = true
                    continue
                }
                status = .lineSearchFailed
                break
            }
            evaluations += accepted.evaluations
            let step = zip(accepted.point, point).map { $0 - $1 }
            let change = zip(accepted.gradient, gradient).map { $0 - $1 }
            let previousValue = value
            point = accepted.point
            gradient = accepted.gradient
            value = accepted.value
            let curvature = Self.dot(step, change)
            if curvature > 1e-300 {
                if isFirstStep {
                    let scale = curvature / Self.dot(change, change)
                    inverseHessian = Self.identity(dimension).map { $0.map { $0 * scale } }
                    isFirstStep = false
                }
                Self.updateInverseHessian(&inverseHessian, step: step, change: change, curvature: curvature)
            }
            if abs(previousValue - value) <= 1e-16 * Swift.max(1, abs(value))
                && Self.infinityNorm(step) <= 1e-14 * Swift.max(1, Self.infinityNorm(point))
            {
                status = Self.infinityNorm(gradient) <= gradientTolerance ? .converged : .stalled
                break
            }
        }
        return MinimizationResult(
            point: point,
            value: value,
            gradient: gradient,
            iterations: iteration,
            evaluations: evaluations,
            status: status
        )
    }

    static func updateInverseHessian(_ matrix: inout [[Double]], step: [Double], change: [Double], curvature: Double) {
        let n = step.count
        let rho = 1 / curvature
        let hy = multiply(matrix, change)
        let yhy = dot(change, hy)
        for i in 0..<n {
            for j in 0..<n {
                matrix[i][j] +=
                    (1 + rho * yhy) * rho * step[i] * step[j] - rho * (hy[i] * step[j] + step[i] * hy[j])
            }
        }
    }

    static func identity(_ n: Int) -> [[Double]] {
        (0..<n).map { i in (0..<n).map { j in i == j ? 1 : 0 } }
    }

    static func multiply(_ matrix: [[Double]], _ vector: [Double]) -> [Double] {
        matrix.map { dot($0, vector) }
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for index in a.indices { sum += a[index] * b[index] }
        return sum
    }

    static func infinityNorm(_ vector: [Double]) -> Double {
        vector.reduce(0) { Swift.max($0, abs($1)) }
    }
}

/// How a minimisation ended.
public enum MinimizationStatus: String, Sendable, Codable {
    /// The gradient norm fell below the tolerance.
    case converged
    /// The iteration budget ran out first.
    case maximumIterationsReached
    /// No step satisfying the Wolfe conditions was found (often: already at machine precision).
    case lineSearchFailed
    /// The value and the point stopped changing before the gradient tolerance was met.
    case stalled
    /// The objective was not finite at the starting point.
    case nonFiniteStart
}

/// The outcome of ``BFGSMinimizer/minimize(from:objective:)``.
public struct MinimizationResult: Sendable {
    /// The best point found.
    public var point: [Double]
    /// The objective at ``point``.
    public var value: Double
    /// The gradient at ``point``.
    public var gradient: [Double]
    /// BFGS iterations performed.
    public var iterations: Int
    /// Objective evaluations performed.
    public var evaluations: Int
    /// How the search ended.
    public var status: MinimizationStatus

    /// ‖∇f‖∞ at the returned point.
    public var gradientNorm: Double { gradient.reduce(0) { Swift.max($0, abs($1)) } }
}
