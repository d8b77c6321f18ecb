import PatronNumerics
import RealModule

/// The hard term of the Pareto/NBD likelihood, I = ∫_{t_x}^{T} (α+u)^−A (β+u)^−B du with A = r + x and
/// B = s + 1, as log I and the weighted means that its derivatives need:
/// E[log(α+u)], E[1/(α+u)], E[log(β+u)], E[1/(β+u)] under the density ∝ (α+u)^−A (β+u)^−B on (t_x, T).
///
/// Two evaluations, the fast one when it is well conditioned:
/// - **Series.** With c = max(α, β) and z = |α−β|/(c+t_x), expanding the smaller factor binomially gives
///   I = (c+t_x)^−a · Σₙ (P)ₙ zⁿ/(n! (a+n)) · (1 − ρζⁿ), a = A + B − 1, ρ = ((c+t_x)/(c+T))^a,
///   ζ = (c+t_x)/(c+T), P = B when α ≥ β and A otherwise (Fader & Hardie 2005, note 009, in another
///   form). All terms are positive; 1 − ρζⁿ = −expm1((a+n) log ζ) is computed without cancellation even
///   when t_x is close to T, so it is used whenever z ≤ 0.6 and P·z ≤ 20 (at most ~80 terms). The
///   derivatives come from the same loop (a shifted by one, P shifted by one, d/da and d/dP of each term).
/// - **Quadrature** otherwise: adaptive Gauss–Kronrod in w = log(min(α, β) + u), which flattens the
///   peak at u = t_x when α or β ≪ T.
struct ParetoHardTerm {
    var logIntegral: Double
    var meanLogAlpha: Double
    var meanInverseAlpha: Double
    var meanLogBeta: Double
    var meanInverseBeta: Double

    static let integrator = GaussKronrodIntegrator(relativeTolerance: 1e-12, maximumPanels: 400)

    static func evaluate(
        alpha: Double,
        beta: Double,
        shapeA: Double,
        shapeB: Double,
        recency: Double,
        age: Double,
        logBaseRecency: Double? = nil
    ) -> Self {
        series(
            alpha: alpha,
            beta: beta,
            shapeA: shapeA,
            shapeB: shapeB,
            recency: recency,
            age: age,
            logBaseRecency: logBaseRecency
        ) ?? quadrature(alpha: alpha, beta: beta, shapeA: shapeA, shapeB: shapeB, recency: recency, age: age)
    }

    static func series(
        alpha: Double,
        beta: Double,
        shapeA: Double,
        shapeB: Double,
        recency: Double,
        age: Double,
        logBaseRecency: Double? = nil
    ) -> Self? {
        let alphaIsLarger = alpha >= beta
        let base = alphaIsLarger ? alpha : beta
        let pochhammer = alphaIsLarger ? shapeB : shapeA
        let z = abs(alpha - beta) / (base + recency)
        guard z <= 0.6, pochhammer * z <= 20 else { return nil }
        let a = shapeA + shapeB - 1
        let logLower = logBaseRecency ?? Double.log(base + recency)
        let logRatio = -Double.log(onePlus: (age - recency) / (base + recency))  // log ζ ≤ 0
        let zeta = Double.exp(logRatio)
        var upperShare = Double.exp(a * logRatio)  // ρζⁿ
        var coefficient = 1.0  // (P)ₙ zⁿ / n!
        var shiftedCoefficient = 1.0  // (P+1)ₙ zⁿ / n!
        var digammaDifference = 0.0  // ψ(P+n) − ψ(P)
        var sum = 0.0
        var sumShiftedA = 0.0
        var sumShiftedBoth = 0.0
        var sumLog = 0.0
        var sumDigamma = 0.0
        var n = 0.0
        var inverse = 1 / a  // 1/(a+n)
        while n < 2000 {
            let inverseShifted = 1 / (a + 1 + n)
            let shiftedShare = upperShare * zeta
            let remaining = upperShare > 0.5 ? -Double.expMinusOne((a + n) * logRatio) : 1 - upperShare
            let remainingShifted = shiftedShare > 0.5 ? -Double.expMinusOne((a + 1 + n) * logRatio) : 1 - shiftedShare
            let term = coefficient * inverse * remaining
            sum += term
            sumShiftedA += coefficient * inverseShifted * remainingShifted
            sumShiftedBoth += shiftedCoefficient * inverseShifted * remainingShifted
            sumLog += coefficient * inverse * ((logLower + inverse) * remaining + upperShare * logRatio)
            sumDigamma += term * digammaDifference
            if term <= 1e-17 * sum && n >= pochhammer * z { break }
            digammaDifference += 1 / (pochhammer + n)
            coefficient *= (pochhammer + n) * z / (n + 1)
            shiftedCoefficient *= (pochhammer + 1 + n) * z / (n + 1)
            upperShare = shiftedShare
            inverse = inverseShifted
            n += 1
        }
        let lower = base + recency
        let meanLogBase = sumLog / sum
        let meanLogOther = (sumLog - sumDigamma) / sum
        let meanInverseSamePochhammer = sumShiftedA / (lower * sum)
        let meanInverseShiftedPochhammer = sumShiftedBoth / (lower * sum)
        return Self(
            logIntegral: -a * logLower + Double.log(sum),
            meanLogAlpha: alphaIsLarger ? meanLogBase : meanLogOther,
            meanInverseAlpha: alphaIsLarger ? meanInverseSamePochhammer : meanInverseShiftedPochhammer,
            meanLogBeta: alphaIsLarger ? meanLogOther : meanLogBase,
            meanInverseBeta: alphaIsLarger ? meanInverseShiftedPochhammer : meanInverseSamePochhammer
        )
    }

    static func quadrature(
        alpha: Double,
        beta: Double,
        shapeA: Double,
        shapeB: Double,
        recency: Double,
        age: Double
    ) -> Self {
        let shift = Swift.min(alpha, beta)
        let alphaOffset = alpha - shift
        let betaOffset = beta - shift
        let lower = Double.log(shift + recency)
        let upper = Double.log(shift + age)
        let reference = lower - shapeA * Double.log(alpha + recency) - shapeB * Double.log(beta + recency)
        let result = integrator.integrate(from: lower, to: upper) { w in
            let ew = Double.exp(w)
            let logAlphaU = alphaOffset == 0 ? w : Double.log(alphaOffset + ew)
            let logBetaU = betaOffset == 0 ? w : Double.log(betaOffset + ew)
            let value = Double.exp(w - shapeA * logAlphaU - shapeB * logBetaU - reference)
            let inverseAlphaU = alphaOffset == 0 ? 1 / ew : 1 / (alphaOffset + ew)
            let inverseBetaU = betaOffset == 0 ? 1 / ew : 1 / (betaOffset + ew)
            return SIMD8(
                value,
                value * logAlphaU,
                value * inverseAlphaU,
                value * logBetaU,
                value * inverseBetaU,
                0,
                0,
                0
            )
        }
        let integral = result.value[0]
        return Self(
            logIntegral: reference + Double.log(integral),
            meanLogAlpha: result.value[1] / integral,
            meanInverseAlpha: result.value[2] / integral,
            meanLogBeta: result.value[3] / integral,
            meanInverseBeta: result.value[4] / integral
        )
    }
}
