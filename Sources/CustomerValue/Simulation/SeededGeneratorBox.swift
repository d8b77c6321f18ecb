public import PatronNumerics

/// A seeded generator passed to simulation callbacks (e.g. to draw each customer's age).
public struct SeededGeneratorBox: Sendable {
    /// The underlying generator.
    public var generator: SeededGenerator

    /// Creates a box around a generator seeded with `seed`.
    public init(seed: UInt64) { generator = SeededGenerator(seed: seed) }

    /// A uniform draw from `range`.
    public mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * RandomVariates.openUnit(using: &generator)
    }
}
