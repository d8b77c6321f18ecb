public import Foundation
public import PatronStorage

extension SQLiteStore {
    /// The segment that holds the condition of score trigger `name`.
    public static func scoreTriggerSegment(_ name: String) -> String { "score:\(name)" }

    /// Creates a `score.changed` trigger: a webhook to `destination` whenever a new score (the
    /// real-time re-score after an order, a refit, the scheduled refresh) makes `condition` start to
    /// hold for a customer, e.g. high value with P(alive) falling below 0.5. The condition is kept as
    /// segment `score:<name>` (listed, previewed and exported like any segment), filled now without
    /// firing, so only customers who cross into it later send webhooks.
    /// - Throws: ``SegmentError``: `.invalidDefinition` when the condition reads no score field,
    ///   `.notFound` for an unknown destination or referenced segment, `.conflict` when the trigger
    ///   or its segment name is taken.
    public func createScoreTrigger(
        name: String,
        condition: SegmentCondition,
        destination: String,
        at time: Date = Date()
    ) async throws(SegmentError) -> Trigger {
        guard !condition.scoreFields.isEmpty else {
            throw SegmentError(
                .invalidDefinition,
                "a score trigger's condition must read a score field (\(ScoreField.allCases.map(\.rawValue).joined(separator: ", "))); use a segment trigger otherwise"
            )
        }
        guard try await segmentStore({ () throws(StoreError) in try await self.destination(named: destination) }) != nil
        else {
            throw SegmentError(.notFound, "no destination named '\(destination)'")
        }
        if try await segmentStore({ () throws(StoreError) in try await triggers() }).contains(where: { $0.name == name }
        ) {
            throw SegmentError(.conflict, "a trigger named '\(name)' exists already")
        }
        let segment = Self.scoreTriggerSegment(name)
        _ = try await createSegment(name: segment, condition: condition)
        _ = try await backfillSegment(named: segment, at: time)
        return try await segmentStore { () throws(StoreError) in
            try await createTrigger(
                name: name,
                event: .scoreChanged,
                segment: segment,
                destination: destination,
                at: time
            )
        }
    }
}
