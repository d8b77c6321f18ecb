import PatronStorage

/// The segment definitions arranged for the real-time path: in dependency order, each with the
/// inputs its condition reads, so that a processing step re-evaluates for a customer only the
/// segments that what changed can move (a new `Viewed 7` event moves "did `Viewed 7` twice", not the
/// 99 segments on other events or traits). Changes brought by the passing of time alone are the
/// scheduled refresh's (``SQLiteStore/refreshSegments(passedSince:at:)``).
struct RealtimeSegmentPlan: Sendable {
    /// The definitions, each after the segments it refers to.
    let definitions: [SegmentDefinition]
    /// Every event name some condition reads: the only ones the event windows keep.
    let eventNames: Set<String>
    /// How far back the conditions look at events (`nil`: all events; see
    /// ``SegmentCondition/eventLookbackMilliseconds``).
    let lookback: Int64?
    /// The positions (in ``definitions``) of the conditions that read each event name.
    private let readersOfEvent: [String: [Int]]
    /// The positions of the conditions that read each trait key.
    private let readersOfTrait: [String: [Int]]
    /// The positions of the conditions that refer to each segment (all later than the segment's own).
    let referrers: [String: [Int]]
    /// The position of each segment, by name.
    let positionOfSegment: [String: Int]

    init(_ definitions: [SegmentDefinition]) {
        self.definitions = definitions
        var readersOfEvent: [String: [Int]] = [:]
        var readersOfTrait: [String: [Int]] = [:]
        var referrers: [String: [Int]] = [:]
        for (position, definition) in definitions.enumerated() {
            let condition = definition.condition
            for name in condition.eventNames { readersOfEvent[name, default: []].append(position) }
            for key in condition.traitKeys { readersOfTrait[key, default: []].append(position) }
            for segment in condition.referencedSegments { referrers[segment, default: []].append(position) }
        }
        self.readersOfEvent = readersOfEvent
        self.readersOfTrait = readersOfTrait
        self.referrers = referrers
        positionOfSegment = Dictionary(definitions.enumerated().map { ($1.name, $0) }) { first, _ in first }
        eventNames = Set(readersOfEvent.keys)
        lookback = SegmentCondition.all(definitions.map(\.condition)).eventLookbackMilliseconds
    }

    /// The positions of the definitions whose result `change` can move for a customer (before any
    /// segment moved; those that refer to a segment that moves follow through ``referrers``). Its
    /// orders did not change: a customer whose orders changed is re-scored, then evaluated on every
    /// definition.
    /// - Parameter holdingWithoutData: ``positionsHoldingWithoutData(at:)`` at the evaluation's
    ///   time; for a new customer, only these and the conditions that read what it has can hold.
    func positions(movedBy change: CustomerChange, holdingWithoutData: [Int]) -> [Int] {
        if change.isWhole && !change.isNew { return Array(definitions.indices) }
        var positions = change.isNew ? holdingWithoutData : []
        for name in change.trackTimes.keys { positions += readersOfEvent[name] ?? [] }
        for key in change.traitKeys { positions += readersOfTrait[key] ?? [] }
        return positions
    }

    /// The positions of the definitions that hold at `now` (milliseconds) for a customer without any
    /// data: no events, traits, score or memberships ("never did X", "not in segment Y").
    func positionsHoldingWithoutData(at now: Int64) -> [Int] {
        let nothing = CustomerFacts(customerId: 0, now: now)
        return definitions.indices.filter { definitions[$0].condition.isSatisfied(by: nothing) }
    }
}
