/// An operator with its values, as a trait or score condition applies it.
public struct Comparison: Sendable, Hashable {
    /// The operator.
    public var op: ComparisonOperator
    /// Its values: none for `exists`, two for `between`, one or more for `in`, one otherwise.
    public var values: [SegmentValue]

    /// Creates a comparison (``SegmentCondition/init(json:)`` checks the values suit the operator).
    public init(_ op: ComparisonOperator, _ values: [SegmentValue] = []) {
        self.op = op
        self.values = values
    }
}
