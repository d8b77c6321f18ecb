/// Who entered and who left a segment in one evaluation (the rows a `Segment Entered` /
/// `Segment Exited` event and a trigger will be made from).
public struct SegmentMembershipChange: Sendable, Hashable, Codable {
    /// Customers who became members, in id order.
    public var entered: [Int64]
    /// Customers who stopped being members, in id order.
    public var exited: [Int64]
    /// Members after the change.
    public var members: Int

    /// Creates a change.
    public init(entered: [Int64], exited: [Int64], members: Int) {
        self.entered = entered
        self.exited = exited
        self.members = members
    }

    /// This change followed by `later`, a change of other customers (an evaluation in parts): the
    /// entries and exits of both, and the members after `later`.
    public func followed(by later: SegmentMembershipChange) -> SegmentMembershipChange {
        SegmentMembershipChange(
            entered: (entered + later.entered).sorted(),
            exited: (exited + later.exited).sorted(),
            members: later.members
        )
    }
}

extension Dictionary where Value == SegmentMembershipChange {
    /// The entries and exits of all the segments' changes.
    public var entriesAndExits: Int { values.reduce(0) { $0 + $1.entered.count + $1.exited.count } }
}
