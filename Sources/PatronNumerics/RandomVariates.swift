public import RealModule

/// Samplers for the distributions of the customer-value models, driven by any generator.
public enum RandomVariates {
    /// A uniform variate in the open interval (0, 1).
    @inlinable
    public static func openUnit(using generator: inout some RandomNumberGenerator) -> Double {
        (Double(generator.next() >> 11) + 0.5) * 0x1.0p-53
    }

    /// An exponential variate with the given rate.
    @inlinable
    public static func exponential(rate: Double, using generator: inout some RandomNumberGenerator) -> Double {
        -Double.log(openUnit(using: &generator)) / rate
    }

    /// A standard normal variate (Marsaglia's polar method).
    public static func standardNormal(using generator: inout some RandomNumberGenerator) -> Double {
        while true {
            let u = 2 * openUnit(using: &generator) - 1
            let v = 2 * openUnit(using: &generator) - 1
            let s = u * u + v * v
            if s > 0 && s < 1 { return u * (-2 * Double.log(s) / s).squareRoot() }
        }
    }

    /// A gamma variate with the given shape and rate (mean shape/rate), by Marsaglia & Tsang (2000);
    /// shapes below 1 use Gamma(shape + 1) · U^(1/shape).
    public static func gamma(shape: Double, rate: Double, using generator: inout some RandomNumberGenerator) -> Double {
        if shape < 1 {
            let boosted = gamma(shape: shape + 1, rate: 1, using: &generator)
            return boosted * Double.pow(openUnit(using: &generator), 1 / shape) / rate
        }
        let d = shape - 1.0 / 3
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0
            var v = 0.0
            repeat {
                x = standardNormal(using: &generator)
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = openUnit(using: &generator)
            if u < 1 - 0.0331 * x * x * x * x || Double.log(u) < 0.5 * x * x + d * (1 - v + Double.log(v)) {
                return d * v / rate
            }
        }
    }

    /// A beta variate, as G₁/(G₁ + G₂) with G₁ ~ Gamma(a), G₂ ~ Gamma(b).
    public static func beta(_ a: Double, _ b: Double, using generator: inout some RandomNumberGenerator) -> Double {
        let x = gamma(shape: a, rate: 1, using: &generator)
        let y = gamma(shape: b, rate: 1, using: &generator)
        let sum = x + y
        return sum > 0 ? x / sum : (openUnit(using: &generator) < a / (a + b) ? 1 : 0)
    }

    /// A Bernoulli trial with success probability `probability`.
    @inlinable
    public static func bernoulli(_ probability: Double, using generator: inout some RandomNumberGenerator) -> Bool {
        openUnit(using: &generator) < probability
    }
}
