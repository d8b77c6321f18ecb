import RealModule

extension SpecialFunctions {
    /// The Gauss hypergeometric function ₂F₁(a, b; c; z) for real z < 1.
    ///
    /// For −0.5 ≤ z < 1 the power series Σ (a)ₙ(b)ₙ/((c)ₙ n!) zⁿ is summed until a term falls below
    /// 1e-17 of the sum; for z < −0.5 the Pfaff transformation
    /// ₂F₁(a, b; c; z) = (1 − z)⁻ᵃ ₂F₁(a, c − b; c; z/(z − 1)) (A&S 15.3.4) maps z into (1/3, 1).
    /// Convergence slows as z → 1 (about 40 000 terms at z = 0.999).
    ///
    /// - Returns: the value, or `.nan` when z ≥ 1, c is a non-positive integer, or the series has not
    ///   converged within `maximumTerms` terms.
    public static func hypergeometric2F1(
        _ a: Double,
        _ b: Double,
        _ c: Double,
        _ z: Double,
        maximumTerms: Int = 1_000_000
    ) -> Double {
        guard z < 1, a.isFinite, b.isFinite, c.isFinite, z.isFinite else { return .nan }
        if z < -0.5 {
            let transformed = hypergeometric2F1(a, c - b, c, z / (z - 1), maximumTerms: maximumTerms)
            return Double.pow(1 - z, -a) * transformed
        }
        return hypergeometricSeries(a, b, c, z, firstTerm: 1, maximumTerms: maximumTerms)
    }

    /// Σₙ₌₀ tₙ with t₀ = `firstTerm` and tₙ₊₁/tₙ = (a + n)(b + n) z / ((c + n)(n + 1)), summed until a
    /// term falls below 1e-17 of the running sum. Returns `.nan` if it does not converge.
    package static func hypergeometricSeries(
        _ a: Double,
        _ b: Double,
        _ c: Double,
        _ z: Double,
        firstTerm: Double,
        firstIndex: Int = 0,
        maximumTerms: Int = 1_000_000
    ) -> Double {
        var term = firstTerm
        var sum = firstTerm
        var index = Double(firstIndex)
        for _ in 0..<maximumTerms {
            let denominator = (c + index) * (index + 1)
            if denominator == 0 { return .nan }
            term *= (a + index) * (b + index) / denominator * z
            sum += term
            index += 1
            if abs(term) <= 1e-17 * abs(sum) && (a + index) * (b + index) * z / ((c + index) * (index + 1)) < 1 {
                return sum
            }
            if term == 0 { return sum }
        }
        return .nan
    }
}
