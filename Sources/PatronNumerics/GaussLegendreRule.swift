import RealModule

/// An n-point Gauss–Legendre rule on [−1, 1], exact for polynomials of degree 2n − 1.
///
/// Nodes are the roots of Pₙ found by Newton's method from Tricomi's initial guesses, weights
/// wᵢ = 2 / ((1 − xᵢ²) Pₙ′(xᵢ)²) (A&S 25.4.29); nodes and weights are accurate to about 1e-15.
public struct GaussLegendreRule: Sendable {
    /// The nodes in [−1, 1], ascending.
    public let nodes: [Double]
    /// The weights, summing to 2.
    public let weights: [Double]

    /// Computes the rule with `order` points (order ≥ 1).
    public init(order: Int) {
        precondition(order >= 1, "a Gauss–Legendre rule needs at least one node")
        if order == 1 {
            self.nodes = [0]
            self.weights = [2]
            return
        }
        var nodes = [Double](repeating: 0, count: order)
        var weights = [Double](repeating: 0, count: order)
        let n = Double(order)
        for i in 0..<(order + 1) / 2 {
            var x = Double.cos(Double.pi * (Double(i) + 0.75) / (n + 0.5))
            var derivative = 0.0
            for _ in 0..<100 {
                var previous = 1.0
                var current = x
                for k in 2...order {
                    let next = ((2 * Double(k) - 1) * x * current - (Double(k) - 1) * previous) / Double(k)
                    previous = current
                    current = next
                }
                derivative = n * (x * current - previous) / (x * x - 1)
                let step = current / derivative
                x -= step
                if abs(step) < 1e-16 { break }
            }
            nodes[i] = -x
            nodes[order - 1 - i] = x
            let weight = 2 / ((1 - x * x) * derivative * derivative)
            weights[i] = weight
            weights[order - 1 - i] = weight
        }
        self.nodes = nodes
        self.weights = weights
    }

    /// Integrates `integrand` over [lower, upper] with this rule.
    @inlinable
    public func integrate(from lower: Double, to upper: Double, _ integrand: (Double) -> Double) -> Double {
        let center = 0.5 * (lower + upper)
        let halfLength = 0.5 * (upper - lower)
        var sum = 0.0
        for index in nodes.indices {
            sum += weights[index] * integrand(center + halfLength * nodes[index])
        }
        return sum * halfLength
    }
}
