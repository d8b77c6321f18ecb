/// Adaptive Gauss–Kronrod (G7/K15) quadrature of a vector of up to eight integrands that share
/// their evaluation points.
///
/// Lane 0 drives the error control: panels are bisected, largest estimated error first, until
/// Σ|K15 − G7| ≤ `relativeTolerance` · |∫ lane 0| or `maximumPanels` is reached. The |K15 − G7|
/// estimate is pessimistic for smooth integrands (the true error is usually many orders smaller).
/// Nodes and weights are the standard 15-point Kronrod extension of the 7-point Gauss rule
/// (Piessens et al., QUADPACK, 1983).
public struct GaussKronrodIntegrator: Sendable {
    /// Requested relative accuracy of lane 0.
    public var relativeTolerance: Double
    /// Upper bound on the number of panels.
    public var maximumPanels: Int

    /// Creates an integrator.
    /// - Parameters:
    ///   - relativeTolerance: requested relative accuracy of lane 0 (default 1e-11).
    ///   - maximumPanels: upper bound on the number of panels (default 200).
    public init(relativeTolerance: Double = 1e-11, maximumPanels: Int = 200) {
        self.relativeTolerance = relativeTolerance
        self.maximumPanels = maximumPanels
    }

    /// The result of an integration.
    public struct Result: Sendable {
        /// The integrals of the eight lanes.
        public var value: SIMD8<Double>
        /// The summed |K15 − G7| estimate of lane 0's error.
        public var estimatedError: Double
        /// The number of panels used.
        public var panels: Int

        /// Creates a result.
        public init(value: SIMD8<Double>, estimatedError: Double, panels: Int) {
            self.value = value
            self.estimatedError = estimatedError
            self.panels = panels
        }
    }

    @usableFromInline static let kronrodNodes: [Double] = [
        0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
        0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
        0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
        0.207784955007898467600689403773245, 0.0,
    ]
    @usableFromInline static let kronrodWeights: [Double] = [
        0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
        0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
        0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
        0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
    ]
    @usableFromInline static let gaussWeights: [Double] = [
        0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
        0.381830050505118944950369775488975, 0.417959183673469387755102040816327,
    ]

    /// Integrates `integrand` over [lower, upper].
    @inlinable
    public func integrate(
        from lower: Double,
        to upper: Double,
        _ integrand: (Double) -> SIMD8<Double>
    ) -> Result {
        var panels: [(lower: Double, upper: Double, value: SIMD8<Double>, error: Double)] = []
        panels.reserveCapacity(16)
        let first = Self.panel(lower, upper, integrand)
        panels.append((lower, upper, first.value, first.error))
        var total = first.value
        var totalError = first.error
        while totalError > relativeTolerance * abs(total[0]) && panels.count < maximumPanels {
            var worst = 0
            for index in panels.indices where panels[index].error > panels[worst].error { worst = index }
            let split = panels[worst]
            let middle = 0.5 * (split.lower + split.upper)
            if middle <= split.lower || middle >= split.upper { break }
            let left = Self.panel(split.lower, middle, integrand)
            let right = Self.panel(middle, split.upper, integrand)
            panels[worst] = (split.lower, middle, left.value, left.error)
            panels.append((middle, split.upper, right.value, right.error))
            total = SIMD8(repeating: 0)
            totalError = 0
            for panel in panels {
                total += panel.value
                totalError += panel.error
            }
        }
        return Result(value: total, estimatedError: totalError, panels: panels.count)
    }

    @inlinable
    static func panel(
        _ lower: Double,
        _ upper: Double,
        _ integrand: (Double) -> SIMD8<Double>
    ) -> (value: SIMD8<Double>, error: Double) {
        let center = 0.5 * (lower + upper)
        let halfLength = 0.5 * (upper - lower)
        let centerValue = integrand(center)
        var kronrod = centerValue * kronrodWeights[7]
        var gauss = centerValue[0] * gaussWeights[3]
        for index in 0..<7 {
            let offset = halfLength * kronrodNodes[index]
            let sum = integrand(center - offset) + integrand(center + offset)
            kronrod += sum * kronrodWeights[index]
            if index % 2 == 1 { gauss += sum[0] * gaussWeights[index / 2] }
        }
        kronrod *= halfLength
        gauss *= halfLength
        return (kronrod, abs(kronrod[0] - gauss))
    }
}
