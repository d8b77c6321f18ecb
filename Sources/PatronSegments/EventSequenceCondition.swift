/// "Did A and not B within 1 h" (or "A followed by B within 1 h"): some `track` event `name` (in
/// an optional window) that another event `next` did, or did not, follow within `within`.
///
/// A later event follows an earlier one when its time is between the earlier one's time and that
/// time plus `within`, both included (an event never follows itself). "Not followed by" counts
/// only earlier events whose `within` has fully passed, so a cart abandoned 10 minutes ago is not
/// yet abandoned under a 1 h rule.
public struct EventSequenceCondition: Sendable, Hashable {
    /// The first event's name (`Product Added`).
    public var name: String
    /// The name of the event that must (or must not) follow (`Order Completed`).
    public var next: String
    /// Whether the condition asks that `next` did follow (`followedBy`) rather than did not (`notFollowedBy`).
    public var isFollowed: Bool
    /// The longest gap between the two events.
    public var within: SegmentDuration
    /// Only first events in this window before the evaluation time; `nil` for all.
    public var inLast: SegmentDuration?

    /// Creates a sequence condition.
    public init(
        name: String,
        next: String,
        isFollowed: Bool,
        within: SegmentDuration,
        inLast: SegmentDuration? = nil
    ) {
        self.name = name
        self.next = next
        self.isFollowed = isFollowed
        self.within = within
        self.inLast = inLast
    }
}
