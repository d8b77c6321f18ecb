public import Foundation
public import PatronCore

/// What the in-memory evaluator knows about one customer at one instant: traits, the times of
/// its `track` events by name, its current score, the segments it is in, and now.
public struct CustomerFacts: Sendable, Hashable {
    /// The customer's id.
    public var customerId: Int64
    /// The evaluation time, in milliseconds since 1970 (whole milliseconds, as the store keeps times).
    public var now: Int64
    /// Traits as JSON values (a trait whose stored text is not JSON is absent).
    public var traits: [String: JSONValue]
    /// Times of `track` events by name, in milliseconds since 1970, ascending; events after `now`
    /// are ignored, and only those within the largest window the conditions need are required.
    public var events: [String: [Int64]]
    /// The current score's fields (numbers, and the tier as a string); empty without a score.
    public var scores: [ScoreField: JSONValue]
    /// Names of the segments the customer is currently in.
    public var segments: Set<String>

    /// Creates facts.
    public init(
        customerId: Int64,
        now: Int64,
        traits: [String: JSONValue] = [:],
        events: [String: [Int64]] = [:],
        scores: [ScoreField: JSONValue] = [:],
        segments: Set<String> = []
    ) {
        self.customerId = customerId
        self.now = now
        self.traits = traits
        self.events = events
        self.scores = scores
        self.segments = segments
    }

    /// A date in whole milliseconds since 1970, rounded down (how conditions read `now`).
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }
}
