extension SegmentCondition {
    /// The names of the segments the condition refers to (at any depth).
    public var referencedSegments: Set<String> {
        switch self {
        case .segment(let name): [name]
        case .all(let conditions), .any(let conditions):
            conditions.reduce(into: []) { $0.formUnion($1.referencedSegments) }
        case .not(let condition): condition.referencedSegments
        case .trait, .score, .eventCount, .eventSequence: []
        }
    }

    /// The score fields the condition reads (at any depth; not through referenced segments).
    public var scoreFields: Set<ScoreField> {
        switch self {
        case .score(let field, _): [field]
        case .all(let conditions), .any(let conditions):
            conditions.reduce(into: []) { $0.formUnion($1.scoreFields) }
        case .not(let condition): condition.scoreFields
        case .trait, .segment, .eventCount, .eventSequence: []
        }
    }

    /// The trait keys the condition reads (at any depth; not through referenced segments).
    public var traitKeys: Set<String> {
        switch self {
        case .trait(let key, _): [key]
        case .all(let conditions), .any(let conditions): conditions.reduce(into: []) { $0.formUnion($1.traitKeys) }
        case .not(let condition): condition.traitKeys
        case .score, .segment, .eventCount, .eventSequence: []
        }
    }

    /// The names of the `track` events the condition counts or sequences (at any depth; not through
    /// referenced segments).
    public var eventNames: Set<String> {
        switch self {
        case .eventCount(let condition): [condition.name]
        case .eventSequence(let condition): [condition.name, condition.next]
        case .all(let conditions), .any(let conditions): conditions.reduce(into: []) { $0.formUnion($1.eventNames) }
        case .not(let condition): condition.eventNames
        case .trait, .score, .segment: []
        }
    }

    /// How far back, in milliseconds before now, the in-memory evaluator needs a customer's event
    /// times: the largest window over all event conditions; `nil`
    /// when some condition needs every event, `0` when the condition reads no events.
    public var eventLookbackMilliseconds: Int64? {
        switch self {
        // A sequence's later event is never before its first one, so the first one's window is enough.
        case .eventCount(let condition): condition.inLast?.milliseconds
        case .eventSequence(let condition): condition.inLast?.milliseconds
        case .all(let conditions), .any(let conditions):
            conditions.reduce(Int64?.some(0)) { widest, condition in
                guard let widest, let milliseconds = condition.eventLookbackMilliseconds else { return nil }
                return max(widest, milliseconds)
            }
        case .not(let condition): condition.eventLookbackMilliseconds
        case .trait, .score, .segment: 0
        }
    }
}
