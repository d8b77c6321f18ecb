import Foundation
import PatronNumerics
import Testing

struct QuadratureTests {
    @Test(arguments: [1, 2, 5, 16, 24, 32])
    func gaussLegendreIsExactForPolynomialsOfDegree2nMinus1(order: Int) {
        let rule = GaussLegendreRule(order: order)
        #expect(abs(rule.weights.reduce(0, +) - 2) <= 1e-14)
        let degree = 2 * order - 1
        let integral = rule.integrate(from: 0, to: 1) { pow($0, Double(degree)) }
        #expect(abs(integral - 1 / Double(degree + 1)) <= 1e-14)
    }

    @Test func gaussKronrodHandlesAPeakedIntegrandToFullPrecision() {
        let integrator = GaussKronrodIntegrator(relativeTolerance: 1e-12)
        // ∫₀¹ 1/(1e-6 + x) dx = log(1 + 1e6); in log space the peak flattens.
        let result = integrator.integrate(from: log(1e-6), to: log(1 + 1e-6)) { w in
            SIMD8(1, exp(w), 0, 0, 0, 0, 0, 0)
        }
        #expect(abs(result.value[0] - log(1 + 1e6)) <= 1e-13 * log(1 + 1e6))
        #expect(abs(result.value[1] - 1) <= 1e-13)
        let direct = integrator.integrate(from: 0, to: 1) { x in SIMD8(1 / (1e-6 + x), 0, 0, 0, 0, 0, 0, 0) }
        #expect(abs(direct.value[0] - log(1 + 1e6)) <= 1e-10 * log(1 + 1e6))
        #expect(direct.panels > 1, "the peaked integrand needs subdivision")
    }
}

struct BFGSMinimizerTests {
    @Test func minimizesRosenbrock() {
        let result = BFGSMinimizer(gradientTolerance: 1e-10).minimize(from: [-1.2, 1]) { x, gradient in
            let a = 1 - x[0]
            let b = x[1] - x[0] * x[0]
            gradient[0] = -2 * a - 400 * x[0] * b
            gradient[1] = 200 * b
            return a * a + 100 * b * b
        }
        #expect(result.status == .converged)
        #expect(abs(result.point[0] - 1) < 1e-8 && abs(result.point[1] - 1) < 1e-8)
        #expect(result.iterations < 100)
    }

    @Test func reportsANonFiniteStartAndSurvivesADomainWall() {
        let bad = BFGSMinimizer().minimize(from: [0]) { _, gradient in
            gradient[0] = 0
            return .nan
        }
        #expect(bad.status == .nonFiniteStart)
        // f = x − log(x) has its minimum at 1 and is infinite for x ≤ 0: steps past the wall are shortened.
        let walled = BFGSMinimizer().minimize(from: [3]) { x, gradient in
            guard x[0] > 0 else { return .infinity }
            gradient[0] = 1 - 1 / x[0]
            return x[0] - log(x[0])
        }
        #expect(walled.status == .converged)
        #expect(abs(walled.point[0] - 1) < 1e-8)
    }

    @Test func invertsAPositiveDefiniteMatrixAndRejectsOthers() throws {
        let inverse = try #require(SymmetricMatrix.inversePositiveDefinite([[4, 1], [1, 3]]))
        #expect(abs(inverse[0][0] - 3.0 / 11) < 1e-15 && abs(inverse[0][1] + 1.0 / 11) < 1e-15)
        #expect(SymmetricMatrix.inversePositiveDefinite([[1, 2], [2, 1]]) == nil)
    }
}

struct RandomVariatesTests {
    @Test func sameSeedSameSequence() {
        var first = SeededGenerator(seed: 7)
        var second = SeededGenerator(seed: 7)
        var third = SeededGenerator(seed: 8)
        let a = (0..<5).map { _ in first.next() }
        #expect(a == (0..<5).map { _ in second.next() })
        #expect(a != (0..<5).map { _ in third.next() })
    }

    /// Sample means of 200,000 draws within 5 standard errors of the true means.
    @Test(arguments: [(0.3, 2.0), (1.0, 1.0), (4.5, 0.5)])
    func gammaAndBetaHaveTheRightMoments(shape: Double, rate: Double) {
        var generator = SeededGenerator(seed: 11)
        let count = 200_000
        var sum = 0.0
        for _ in 0..<count { sum += RandomVariates.gamma(shape: shape, rate: rate, using: &generator) }
        let mean = shape / rate
        let standardError = (shape / (rate * rate) / Double(count)).squareRoot()
        #expect(abs(sum / Double(count) - mean) < 5 * standardError)
        var betaSum = 0.0
        for _ in 0..<count { betaSum += RandomVariates.beta(shape, rate, using: &generator) }
        let betaMean = shape / (shape + rate)
        let betaVariance = shape * rate / ((shape + rate) * (shape + rate) * (shape + rate + 1))
        #expect(abs(betaSum / Double(count) - betaMean) < 5 * (betaVariance / Double(count)).squareRoot())
    }
}
