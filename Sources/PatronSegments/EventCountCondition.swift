/// "Did `name` at least 3 times in the last 90 days": the number of `track` events of one name,
/// compared with a count: with a window, those in the window that ends at the evaluation time;
/// without one, all of them, a future-dated one too (a count with no window then depends on the
/// events alone, never on the time, and a client clock running ahead delays nothing).
public struct EventCountCondition: Sendable, Hashable {
    /// The event name (`Order Completed`).
    public var name: String
    /// How the count compares: `eq`, `ne`, `lt`, `le`, `gt` or `ge`.
    public var op: ComparisonOperator
    /// The count compared with.
    public var count: Int
    /// Only events in this window before the evaluation time; `nil` for all events, whatever their time.
    public var inLast: SegmentDuration?

    /// Creates a count condition; by default "did `name` at least once".
    public init(name: String, op: ComparisonOperator = .ge, count: Int = 1, inLast: SegmentDuration? = nil) {
        self.name = name
        self.op = op
        self.count = count
        self.inLast = inLast
    }
}
