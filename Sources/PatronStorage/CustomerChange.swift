/// What one processing step changed for one customer, so that the real-time segment engine
/// re-evaluates only the segments that can have changed and keeps its event windows current
/// without reading the events back.
public struct CustomerChange: Sendable, Hashable {
    /// Times of the `track` events recorded for the customer, in milliseconds since 1970 (as the
    /// store keeps them), by event name, in processing order.
    public var trackTimes: [String: [Int64]] = [:]
    /// Keys of the traits the events set.
    public var traitKeys: Set<String> = []
    /// Whether anything may have changed: the customer is new (a condition such as "never did X"
    /// holds from the start), or a merge moved another customer's data in or out of it.
    public var isWhole = false
    /// Whether the customer was created by this step and not merged: everything it has is in this
    /// change (its events' names and its traits' keys), so a condition can hold for it only if it
    /// reads some of that, holds for a customer without any data, or refers to a segment that moves.
    public var isNew = false

    /// Creates an empty change.
    public init() {}
}
