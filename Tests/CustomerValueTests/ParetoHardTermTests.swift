import Foundation
import PatronNumerics
import Testing

@testable import CustomerValue

/// The series and the quadrature of the Pareto/NBD hard term agree wherever the series is used
/// (2,000 random cases; log I to 1e-12 absolute, the weighted means to 1e-10 relative).
struct ParetoHardTermTests {
    @Test func seriesAgreesWithQuadrature() {
        var generator = SeededGenerator(seed: 99)
        func uniform(_ range: ClosedRange<Double>) -> Double {
            range.lowerBound + (range.upperBound - range.lowerBound) * RandomVariates.openUnit(using: &generator)
        }
        var seriesCases = 0
        for _ in 0..<2000 {
            let alpha = exp(uniform(-1...4))
            let beta = alpha * exp(uniform(-0.8...0.8))
            let shapeA = uniform(0.05...3) + Double(Int(uniform(0...30)))
            let shapeB = 1 + uniform(0.05...3)
            let age = uniform(1...60)
            let recency = age * uniform(0...1)
            guard
                let series = ParetoHardTerm.series(
                    alpha: alpha,
                    beta: beta,
                    shapeA: shapeA,
                    shapeB: shapeB,
                    recency: recency,
                    age: age
                )
            else { continue }
            seriesCases += 1
            let quadrature = ParetoHardTerm.quadrature(
                alpha: alpha,
                beta: beta,
                shapeA: shapeA,
                shapeB: shapeB,
                recency: recency,
                age: age
            )
            let context = "α \(alpha) β \(beta) A \(shapeA) B \(shapeB) t_x \(recency) T \(age)"
            #expect(
                abs(series.logIntegral - quadrature.logIntegral) <= 1e-12 * max(1, abs(quadrature.logIntegral)),
                "\(context)"
            )
            for (a, b) in [
                (series.meanLogAlpha, quadrature.meanLogAlpha), (series.meanInverseAlpha, quadrature.meanInverseAlpha),
                (series.meanLogBeta, quadrature.meanLogBeta), (series.meanInverseBeta, quadrature.meanInverseBeta),
            ] {
                #expect(abs(a - b) <= 1e-10 * max(abs(b), 1e-3), "\(a) vs \(b): \(context)")
            }
        }
        #expect(seriesCases > 1000)
    }
}
