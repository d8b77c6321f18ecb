/// Where the passing of time alone can change a condition's result for a customer whose data stays
/// the same: a stored time (an event's, or a trait holding a date) crossing one of the condition's
/// moving instants ("now", "now − 30 days"). Each crossing is a stored time plus an offset: the
/// result can change only at the instant `stored time + offset`, so between two evaluations at T0
/// and T1 only customers with a stored time in [T0 − offset, T1 − offset] can move, and the
/// scheduled refresh re-evaluates those alone (``SQLiteStore/refreshSegments(passedSince:at:)``).
///
/// - An event count in a window `d` moves when an event leaves the window (offset `d`) and when a
///   future-dated event's time arrives (offset 0).
/// - A sequence moves when its first event leaves its window (offset the window), when its first
///   event's gap has passed for "not followed" (offset the gap; 0 for "followed"), and when either
///   event's future time arrives (offset 0).
/// - A comparison with `now ± x` moves when the trait's date crosses it (offset ∓ x). (Scores are
///   numbers and the model's tier names, never dates: a score condition with a relative time is
///   refused when parsed.)
public struct SegmentTimeCrossings: Sendable, Hashable {
    /// Offsets in milliseconds of the `track` events whose time crossing them can change a
    /// result, by event name.
    public var events: [String: Set<Int64>] = [:]
    /// Offsets in milliseconds of the date-valued traits whose time crossing them can change a
    /// result, by trait key.
    public var traits: [String: Set<Int64>] = [:]

    /// No crossing.
    public init() {}

    /// Whether no stored time can change a result.
    public var isEmpty: Bool { events.isEmpty && traits.isEmpty }

    /// The crossings of both.
    public func union(_ other: SegmentTimeCrossings) -> SegmentTimeCrossings {
        var union = self
        union.events.merge(other.events) { $0.union($1) }
        union.traits.merge(other.traits) { $0.union($1) }
        return union
    }

    mutating func addEvent(_ name: String, offset: Int64) { events[name, default: []].insert(offset) }
}

extension SegmentCondition {
    /// The crossings of the stored times that can change this condition's result by the passing
    /// of time (not through referenced segments: a refresh re-evaluates every segment of the
    /// customers it selects, referrers after the segments they refer to).
    public var timeCrossings: SegmentTimeCrossings {
        var crossings = SegmentTimeCrossings()
        switch self {
        case .eventCount(let condition):
            // Without a window every event counts, whatever its time.
            if let window = condition.inLast {
                crossings.addEvent(condition.name, offset: window.milliseconds)
                crossings.addEvent(condition.name, offset: 0)
            }
        case .eventSequence(let condition):
            if let window = condition.inLast { crossings.addEvent(condition.name, offset: window.milliseconds) }
            crossings.addEvent(condition.name, offset: condition.isFollowed ? 0 : condition.within.milliseconds)
            crossings.addEvent(condition.next, offset: 0)
        case .trait(let key, let comparison):
            let offsets = comparison.relativeTimeOffsets
            if !offsets.isEmpty { crossings.traits[key] = offsets }
        case .all(let conditions), .any(let conditions):
            crossings = conditions.reduce(crossings) { $0.union($1.timeCrossings) }
        case .not(let condition):
            crossings = condition.timeCrossings
        case .score, .segment:
            break
        }
        return crossings
    }
}

extension Comparison {
    /// For each relative time among the values, the offset at which a stored date crosses it: a
    /// date `v` compared with `now − x` changes side when now reaches `v + x`.
    var relativeTimeOffsets: Set<Int64> {
        Set(
            values.compactMap { value in
                guard case .relativeTime(let time) = value else { return nil }
                return -time.milliseconds(now: 0)
            }
        )
    }
}
