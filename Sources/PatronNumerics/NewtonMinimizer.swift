/// Newton's method with an exact Hessian, Levenberg damping when the Hessian is not positive
/// definite, and a backtracking (Armijo) line search that starts from the full Newton step.
///
/// Near the optimum it converges quadratically, so a likelihood with an analytic Hessian is
/// maximised in a handful of evaluations. Like ``BFGSMinimizer`` it never throws; a non-finite value
/// counts as "step too long".
public struct NewtonMinimizer: Sendable {
    /// Stop when the largest absolute gradient component falls below this.
    public var gradientTolerance: Double
    /// Upper bound on Newton iterations.
    public var maximumIterations: Int
    /// Upper bound on the length of one step.
    public var maximumStepLength: Double

    /// Creates a minimiser.
    public init(gradientTolerance: Double = 1e-9, maximumIterations: Int = 100, maximumStepLength: Double = 5) {
        self.gradientTolerance = gradientTolerance
        self.maximumIterations = maximumIterations
        self.maximumStepLength = maximumStepLength
    }

    /// Minimises `objective`, which returns f(x) and writes ∇f(x) and ∇²f(x).
    public func minimize(
        from start: [Double],
        objective: (_ point: [Double], _ gradient: inout [Double], _ hessian: inout [[Double]]) -> Double
    ) -> MinimizationResult {
        let n = start.count
        var point = start
        var gradient = [Double](repeating: 0, count: n)
        var hessian = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        var value = objective(point, &gradient, &hessian)
        var evaluations = 1
        guard value.isFinite, gradient.allSatisfy(\.isFinite) else {
            return MinimizationResult(
                point: point,
                value: value,
                gradient: gradient,
                iterations: 0,
                evaluations: 1,
                status: .nonFiniteStart
            )
        }
        var status = MinimizationStatus.maximumIterationsReached
        var iteration = 0
        while iteration < maximumIterations {
            if BFGSMinimizer.infinityNorm(gradient) <= gradientTolerance {
                status = .converged
                break
            }
            iteration += 1
            guard var direction = Self.dampedNewtonDirection(hessian: hessian, gradient: gradient) else {
                status = .lineSearchFailed
                break
            }
            let length = BFGSMinimizer.dot(direction, direction).squareRoot()
            if length > maximumStepLength { direction = direction.map { $0 * maximumStepLength / length } }
            let slope = BFGSMinimizer.dot(direction, gradient)
            var step = 1.0
            var accepted = false
            var trialGradient = gradient
            var trialHessian = hessian
            var trialPoint = point
            var trialValue = value
            for _ in 0..<50 {
                trialPoint = zip(point, direction).map { $0 + step * $1 }
                trialValue = objective(trialPoint, &trialGradient, &trialHessian)
                evaluations += 1
                if trialValue.isFinite, trialGradient.allSatisfy(\.isFinite), trialValue <= value + 1e-4 * step * slope
                {
                    accepted = true
                    break
                }
                step *= 0.5
            }
            guard accepted else {
                status = BFGSMinimizer.infinityNorm(gradient) <= gradientTolerance ? .converged : .lineSearchFailed
                break
            }
            let previous = value
            (point, value, gradient, hessian) = (trialPoint, trialValue, trialGradient, trialHessian)
            if abs(previous - value) <= 1e-16 * max(1, abs(value))
                && step * length <= 1e-14 * max(1, BFGSMinimizer.infinityNorm(point))
            {
                status = BFGSMinimizer.infinityNorm(gradient) <= gradientTolerance ? .converged : .stalled
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

    /// Solves (H + λI) d = −g with the smallest λ ≥ 0 (0, then growing) for which H + λI is positive
    /// definite; `nil` if none is found.
    static func dampedNewtonDirection(hessian: [[Double]], gradient: [Double]) -> [Double]? {
        let n = gradient.count
        let scale = max(1e-12, (0..<n).map { abs(hessian[$0][$0]) }.max() ?? 1)
        var damping = 0.0
        for _ in 0..<40 {
            var shifted = hessian
            for i in 0..<n { shifted[i][i] += damping }
            if let inverse = SymmetricMatrix.inversePositiveDefinite(shifted) {
                return inverse.map { row in -BFGSMinimizer.dot(row, gradient) }
            }
            damping = damping == 0 ? 1e-8 * scale : damping * 10
        }
        return nil
    }
}
