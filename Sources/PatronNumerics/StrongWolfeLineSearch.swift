/// A line search that finds a step satisfying the strong Wolfe conditions
/// (Nocedal & Wright 2006, algorithms 3.5 and 3.6, with safeguarded cubic interpolation).
struct StrongWolfeLineSearch {
    struct Accepted {
        var point: [Double]
        var value: Double
        var gradient: [Double]
        var evaluations: Int
    }

    let point: [Double]
    let value: Double
    let slope: Double
    let direction: [Double]
    let objective: (_ point: [Double], _ gradient: inout [Double]) -> Double
    let sufficientDecrease = 1e-4
    let curvatureCondition = 0.9

    private struct Trial {
        var step: Double
        var value: Double
        var slope: Double
        var point: [Double]
        var gradient: [Double]
    }

    private func evaluate(_ step: Double) -> Trial {
        var trialPoint = point
        for index in trialPoint.indices { trialPoint[index] += step * direction[index] }
        var gradient = [Double](repeating: 0, count: point.count)
        var trialValue = objective(trialPoint, &gradient)
        if !trialValue.isFinite || !gradient.allSatisfy(\.isFinite) { trialValue = .infinity }
        var trialSlope = 0.0
        for index in gradient.indices { trialSlope += gradient[index] * direction[index] }
        return Trial(step: step, value: trialValue, slope: trialSlope, point: trialPoint, gradient: gradient)
    }

    func run(initialStep: Double) -> Accepted? {
        var evaluations = 0
        var previous = Trial(step: 0, value: value, slope: slope, point: point, gradient: [])
        var step = initialStep
        for iteration in 0..<60 {
            var trial = evaluate(step)
            evaluations += 1
            var shrinks = 0
            while !trial.value.isFinite && shrinks < 60 {
                step = previous.step + 0.25 * (step - previous.step)
                trial = evaluate(step)
                evaluations += 1
                shrinks += 1
            }
            if !trial.value.isFinite { return nil }
            if trial.value > value + sufficientDecrease * step * slope
                || (iteration > 0 && trial.value >= previous.value)
            {
                return zoom(low: previous, high: trial, evaluations: &evaluations)
            }
            if abs(trial.slope) <= -curvatureCondition * slope {
                return Accepted(
                    point: trial.point,
                    value: trial.value,
                    gradient: trial.gradient,
                    evaluations: evaluations
                )
            }
            if trial.slope >= 0 {
                return zoom(low: trial, high: previous, evaluations: &evaluations)
            }
            previous = trial
            step *= 2
        }
        return nil
    }

    private func zoom(low initialLow: Trial, high initialHigh: Trial, evaluations: inout Int) -> Accepted? {
        var low = initialLow
        var high = initialHigh
        for _ in 0..<30 {
            let step = interpolate(low, high)
            let trial = evaluate(step)
            evaluations += 1
            if !trial.value.isFinite || trial.value > value + sufficientDecrease * step * slope
                || trial.value >= low.value
            {
                high = trial
            } else {
                if abs(trial.slope) <= -curvatureCondition * slope {
                    return Accepted(
                        point: trial.point,
                        value: trial.value,
                        gradient: trial.gradient,
                        evaluations: evaluations
                    )
                }
                if trial.slope * (high.step - low.step) >= 0 { high = low }
                low = trial
            }
            if abs(high.step - low.step) <= 1e-12 * Swift.max(1, abs(low.step)) { break }
        }
        guard low.step > 0, low.value < value else { return nil }
        return Accepted(point: low.point, value: low.value, gradient: low.gradient, evaluations: evaluations)
    }

    /// The minimiser of the cubic through both ends, kept inside the middle 80 % of the bracket.
    private func interpolate(_ a: Trial, _ b: Trial) -> Double {
        let lower = Swift.min(a.step, b.step)
        let upper = Swift.max(a.step, b.step)
        let fallback = 0.5 * (a.step + b.step)
        guard a.value.isFinite, b.value.isFinite else { return fallback }
        let d1 = a.slope + b.slope - 3 * (a.value - b.value) / (a.step - b.step)
        let discriminant = d1 * d1 - a.slope * b.slope
        guard discriminant >= 0 else { return fallback }
        let d2 = (b.step > a.step ? 1.0 : -1.0) * discriminant.squareRoot()
        let candidate = b.step - (b.step - a.step) * (b.slope + d2 - d1) / (b.slope - a.slope + 2 * d2)
        let margin = 0.1 * (upper - lower)
        guard candidate.isFinite, candidate >= lower + margin, candidate <= upper - margin else { return fallback }
        return candidate
    }
}
