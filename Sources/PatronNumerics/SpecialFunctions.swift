public import RealModule

/// Special functions used by the likelihoods of the customer-value models.
///
/// All functions follow libm conventions: an argument outside the domain returns `.nan`,
/// they never throw and never trap.
public enum SpecialFunctions {
    /// The natural logarithm of |Γ(x)|, from swift-numerics (`Double.logGamma`).
    @inlinable
    public static func logGamma(_ x: Double) -> Double {
        Double.logGamma(x)
    }

    /// The logarithm of the beta function, log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b), for a, b > 0.
    @inlinable
    public static func logBeta(_ a: Double, _ b: Double) -> Double {
        Double.logGamma(a) + Double.logGamma(b) - Double.logGamma(a + b)
    }

    /// The digamma function ψ(x) = d/dx log Γ(x).
    ///
    /// Upward recurrence ψ(x) = ψ(x + 1) − 1/x until x ≥ 10, then the asymptotic series
    /// ψ(x) ≈ log x − 1/(2x) − Σ B₂ₖ/(2k x²ᵏ) (Abramowitz & Stegun 6.3.18) with six terms;
    /// reflection ψ(1 − x) − ψ(x) = π cot(πx) for x < 0. Relative error below 1e-14 away from
    /// the positive root near 1.4616. Returns `.nan` at 0 and the negative integers.
    public static func digamma(_ x: Double) -> Double {
        guard x.isFinite else { return x == .infinity ? .infinity : .nan }
        if x <= 0 {
            if x == x.rounded(.down) { return .nan }
            return digamma(1 - x) - Double.pi / Double.tan(Double.pi * x)
        }
        var value = 0.0
        var shifted = x
        while shifted < 10 {
            value -= 1 / shifted
            shifted += 1
        }
        let inverseSquare = 1 / (shifted * shifted)
        let series =
            inverseSquare
            * (1.0 / 12 - inverseSquare
                * (1.0 / 120 - inverseSquare
                    * (1.0 / 252 - inverseSquare
                        * (1.0 / 240 - inverseSquare * (1.0 / 132 - inverseSquare * 691.0 / 32760)))))
        return value + Double.log(shifted) - 0.5 / shifted - series
    }

    /// The trigamma function ψ′(x) for x > 0: recurrence ψ′(x) = ψ′(x + 1) + 1/x² until x ≥ 20, then the
    /// asymptotic series 1/x + 1/(2x²) + Σ B₂ₖ/x^(2k+1) (A&S 6.4.12) to the x⁻¹³ term; relative error
    /// below 1e-15. Returns `.nan` for x ≤ 0.
    public static func trigamma(_ x: Double) -> Double {
        guard x > 0, x.isFinite else { return .nan }
        var value = 0.0
        var shifted = x
        while shifted < 20 {
            value += 1 / (shifted * shifted)
            shifted += 1
        }
        let inverse = 1 / shifted
        let square = inverse * inverse
        let series =
            inverse + square / 2
            + inverse * square
            * (1.0 / 6 - square
                * (1.0 / 30 - square * (1.0 / 42 - square * (1.0 / 30 - square * (5.0 / 66 - square * 691.0 / 2730)))))
        return value + series
    }

    /// log(exp(a) + exp(b)) without overflow; `-inf` operands are neutral.
    @inlinable
    public static func logAddExp(_ a: Double, _ b: Double) -> Double {
        if a == -.infinity { return b }
        if b == -.infinity { return a }
        let larger = Swift.max(a, b)
        return larger + Double.log(onePlus: Double.exp(-abs(a - b)))
    }

    /// log Σ exp(values) without overflow. Returns `-inf` for an empty sequence.
    public static func logSumExp(_ values: some Sequence<Double>) -> Double {
        var largest = -Double.infinity
        for value in values where value > largest { largest = value }
        guard largest.isFinite else { return largest }
        var sum = 0.0
        for value in values { sum += Double.exp(value - largest) }
        return largest + Double.log(sum)
    }
}
