import PatronStorage

/// The segment definitions arranged for the real-time path: in dependency order, each with the
/// inputs its condition reads, so that a processing step re-evaluates for a customer only the
/// segments that what changed can move (a new `Viewed 7` event moves "did `Viewed 7` twice", not the
/// 99 segments on other events or traits). Changes brought by the passing of time alone are the
/// scheduled refresh's (``SQLiteStore/backfillSegments(at:timeDependentOnly:)``).
struct RealtimeSegmentPlan: Sendable {
    /// What one condition reads.
    struct Inputs: Sendable {
        var eventNames: Set<String>
        var traitKeys: Set<String>
        var readsScores: Bool
        var segments: Set<String>
    }

    /// The definitions, each after the segments it refers to.
    let definitions: [SegmentDefinition]
    /// The inputs of each definition (same order).
    let inputs: [Inputs]
    /// Every event name some condition reads: the only ones the event windows keep.
    let eventNames: Set<String>
    /// How far back the conditions look at events (`nil`: all events; see
    /// ``SegmentCondition/eventLookbackMilliseconds``).
    let lookback: Int64?

    init(_ definitions: [SegmentDefinition]) {
        self.definitions = definitions
        inputs = definitions.map { definition in
            let condition = definition.condition
            return Inputs(
                eventNames: condition.eventNames,
                traitKeys: condition.traitKeys,
                readsScores: !condition.scoreFields.isEmpty,
                segments: condition.referencedSegments
            )
        }
        eventNames = inputs.reduce(into: []) { $0.formUnion($1.eventNames) }
        lookback = SegmentCondition.all(definitions.map(\.condition)).eventLookbackMilliseconds
    }

    /// Whether definition `index` can have a different result for a customer after `change`.
    /// - Parameters:
    ///   - rescored: the customer's score may have changed (its orders did).
    ///   - moved: the segments whose membership already changed for the customer in this step.
    func mayMove(_ index: Int, after change: CustomerChange, rescored: Bool, moved: Set<String>) -> Bool {
        let reads = inputs[index]
        return change.isWhole || (rescored && reads.readsScores)
            || change.trackTimes.keys.contains(where: reads.eventNames.contains)
            || !reads.traitKeys.isDisjoint(with: change.traitKeys) || !reads.segments.isDisjoint(with: moved)
    }
}
