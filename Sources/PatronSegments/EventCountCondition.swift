/// "Did `name` at least 3 times in the last 90 days": the number of `track` events of one name,
/// up to the evaluation time and within an optional window, compared with a count.
public struct EventCountCondition: Sendable, Hashable {
    /// The event name (`Order Completed`).
    public var name: String
    /// How the count compares: `eq`, `ne`, `lt`, `le`, `gt` or `ge`.
    public var op: ComparisonOperator
    /// The count compared with.
    public var count: Int
    /// Only events in this window before the evaluation time; `nil` for all events.
    public var inLast: SegmentDuration?

    /// Creates a count condition; by default "did `name` at least once".
    public init(name: String, op: ComparisonOperator = .ge, count: Int = 1, inLast: SegmentDuration? = nil) {
        self.name = name
        self.op = op
        self.count = count
        self.inLast = inLast
    }
}
