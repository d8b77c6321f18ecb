import Foundation
import PatronNumerics
import Testing

/// Special functions against mpmath (30 digits).
struct SpecialFunctionsTests {
    @Test(arguments: [
        (0.1, -10.423754940411076, 101.43329915079275),
        (0.5, -1.9635100260214235, 4.934802200544679),
        (1, -0.5772156649015329, 1.6449340668482264),
        (2.5, 0.7031566406452432, 0.49035775610023485),
        (7.3, 1.9178203356379862, 0.1467957681314271),
        (30, 3.384438132685525, 0.033895060357739946),
        (1000, 6.907255195648812, 0.0010005001666666333),
    ])
    func digammaAndTrigammaMatchMpmath(x: Double, digamma: Double, trigamma: Double) {
        #expect(abs(SpecialFunctions.trigamma(x) - trigamma) <= 1e-14 * trigamma)
        #expect(abs(SpecialFunctions.digamma(x) - digamma) <= 1e-14 * abs(digamma))
    }

    @Test func digammaReflectionAndPoles() {
        #expect(abs(SpecialFunctions.digamma(-0.5) - 0.03648997397857652) <= 1e-13)
        #expect(abs(SpecialFunctions.digamma(-2.3) - 3.3173231575618227) <= 1e-13)
        #expect(abs(SpecialFunctions.digamma(1.4616321449683622)) <= 1e-15)
        #expect(SpecialFunctions.digamma(0).isNaN)
        #expect(SpecialFunctions.digamma(-3).isNaN)
    }

    @Test(arguments: [
        (0.5, 1.5, 2.5, 0.3, 1.108062551056932) as (Double, Double, Double, Double, Double),
        (2, 3, 4, 0.9, 21.78942310292967),
        (1, 16.2, 20, 0.9090909090909091, 4.137273026281711),
        (0.3, 0.7, 1.9, -3.0, 0.8262198694875572),
        (1.5, 2.5, 3.5, -0.4, 0.6920039012674823),
    ])
    func hypergeometricMatchesMpmath(a: Double, b: Double, c: Double, z: Double, expected: Double) {
        #expect(abs(SpecialFunctions.hypergeometric2F1(a, b, c, z) - expected) <= 1e-13 * abs(expected))
    }

    @Test func hypergeometricOutsideTheDomainIsNaN() {
        #expect(SpecialFunctions.hypergeometric2F1(1, 1, 2, 1).isNaN)
        #expect(SpecialFunctions.hypergeometric2F1(1, 1, -2, 0.5).isNaN)
    }

    @Test func logSumExpDoesNotOverflow() {
        #expect(SpecialFunctions.logAddExp(1000, 1000) == 1000 + log(2.0))
        #expect(SpecialFunctions.logSumExp([-1000, -1000, -1000]) == -1000 + log(3.0))
        #expect(SpecialFunctions.logSumExp([Double]()) == -.infinity)
        #expect(SpecialFunctions.logAddExp(-.infinity, 3) == 3)
    }
}
