import PatronNumerics
import Testing

/// Tail probabilities against scipy 1.11.4 (`chi2.sf`, `2 * norm.sf`); relative tolerance 1e-10.
struct DistributionsTests {
    @Test(
        arguments: [
            (3.841458820694124, 1, 0.04999999999999989),
            (10, 4, 0.04042768199451279),
            (20, 10, 0.029252688076961124),
            (0.5, 7, 0.9994464813904249),
            (300, 3, 9.948758346327588e-65),
        ] as [(Double, Int, Double)]
    )
    func chiSquareSurvivalMatchesScipy(statistic: Double, degreesOfFreedom: Int, expected: Double) {
        let value = Distributions.chiSquareSurvival(statistic, degreesOfFreedom: degreesOfFreedom)
        #expect(abs(value - expected) <= 1e-10 * expected, "χ²_\(degreesOfFreedom)(\(statistic)): \(value)")
    }

    @Test func normalPValuesMatchScipy() {
        #expect(abs(Distributions.twoSidedNormalPValue(1.96) - 0.04999579029644087) <= 1e-12)
        #expect(abs(Distributions.twoSidedNormalPValue(-5) - 5.733031437583866e-07) <= 1e-16)
    }

    @Test func edgesAndInvalidArguments() {
        #expect(Distributions.chiSquareSurvival(0, degreesOfFreedom: 2) == 1)
        #expect(Distributions.chiSquareSurvival(.infinity, degreesOfFreedom: 2) == 0)
        #expect(Distributions.chiSquareSurvival(1, degreesOfFreedom: 0).isNaN)
        #expect(Distributions.regularizedUpperGamma(-1, 1).isNaN)
    }

    @Test func choleskyFactorReproducesTheMatrix() throws {
        let matrix = [[4.0, 2, 0.4], [2, 5, 1], [0.4, 1, 3]]
        let lower = try #require(SymmetricMatrix.choleskyFactor(matrix))
        for i in 0..<3 {
            for j in 0..<3 {
                let product = (0..<3).reduce(0.0) { $0 + lower[i][$1] * lower[j][$1] }
                #expect(abs(product - matrix[i][j]) <= 1e-12)
            }
        }
        #expect(SymmetricMatrix.choleskyFactor([[1, 2], [2, 1]]) == nil)
    }
}
