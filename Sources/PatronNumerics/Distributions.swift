import RealModule

/// Tail probabilities for the tests that accompany a fit (Wald and likelihood-ratio tests).
public enum Distributions {
    /// Q(a, x) = Γ(a, x)/Γ(a), the regularized upper incomplete gamma function, for a > 0, x ≥ 0.
    ///
    /// The power series of P(a, x) = 1 − Q when x < a + 1, otherwise the continued fraction of
    /// Γ(a, x) evaluated with the modified Lentz method (Abramowitz & Stegun 6.5.29 and 6.5.31);
    /// relative accuracy about 1e-14. Returns `.nan` outside the domain.
    public static func regularizedUpperGamma(_ a: Double, _ x: Double) -> Double {
        guard a > 0, x >= 0, a.isFinite, !x.isNaN else { return .nan }
        if x == 0 { return 1 }
        if x == .infinity { return 0 }
        let logPrefactor = a * Double.log(x) - x - Double.logGamma(a)
        if x < a + 1 {
            var term = 1 / a
            var sum = term
            var n = 1.0
            while n < 10_000 {
                term *= x / (a + n)
                sum += term
                if abs(term) < abs(sum) * 1e-16 { break }
                n += 1
            }
            return Swift.max(0, 1 - sum * Double.exp(logPrefactor))
        }
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var fraction = d
        var i = 1.0
        while i < 10_000 {
            let an = -i * (i - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            fraction *= delta
            if abs(delta - 1) < 1e-16 { break }
            i += 1
        }
        return Double.exp(logPrefactor) * fraction
    }

    /// P(χ²_k > statistic): the p-value of a chi-square statistic with `degreesOfFreedom` k ≥ 1.
    public static func chiSquareSurvival(_ statistic: Double, degreesOfFreedom: Int) -> Double {
        guard degreesOfFreedom > 0, !statistic.isNaN else { return .nan }
        return regularizedUpperGamma(Double(degreesOfFreedom) / 2, Swift.max(0, statistic) / 2)
    }

    /// P(|Z| > |z|) for a standard normal Z: the two-sided p-value of a z statistic.
    public static func twoSidedNormalPValue(_ z: Double) -> Double {
        Double.erfc(abs(z) / 2.0.squareRoot())
    }
}
