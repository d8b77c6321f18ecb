/// A segment condition: one definition that both evaluates in memory on a customer's facts
/// (``isSatisfied(by:)``, for real time) and compiles to SQL over the store (batch backfill and
/// preview counts). Its JSON form is described in ``init(json:)``.
public indirect enum SegmentCondition: Sendable, Hashable {
    /// A trait of the customer profile compared with values; a missing trait matches nothing.
    case trait(key: String, Comparison)
    /// A field of the customer's current score; a customer without a score matches nothing.
    case score(ScoreField, Comparison)
    /// A count of events of one name.
    case eventCount(EventCountCondition)
    /// An event followed, or not, by another within a time.
    case eventSequence(EventSequenceCondition)
    /// Current membership of another segment, by name.
    case segment(String)
    /// Every condition holds (true when empty).
    case all([SegmentCondition])
    /// At least one condition holds (false when empty).
    case any([SegmentCondition])
    /// The condition does not hold.
    case not(SegmentCondition)
}
