import PatronCore
import PatronStorage

extension SegmentCondition {
    /// Whether the customer described by `facts` satisfies the condition (the real-time engine; it
    /// agrees with the SQL from ``compiled(now:)`` on the same data).
    public func isSatisfied(by facts: CustomerFacts) -> Bool {
        switch self {
        case .trait(let key, let comparison): comparison.matches(facts.traits[key], now: facts.now)
        case .score(let field, let comparison): comparison.matches(facts.scores[field], now: facts.now)
        case .eventCount(let condition): condition.isSatisfied(by: facts)
        case .eventSequence(let condition): condition.isSatisfied(by: facts)
        case .segment(let name): facts.segments.contains(name)
        case .all(let conditions): conditions.allSatisfy { $0.isSatisfied(by: facts) }
        case .any(let conditions): conditions.contains { $0.isSatisfied(by: facts) }
        case .not(let condition): !condition.isSatisfied(by: facts)
        }
    }
}

extension Comparison {
    /// Whether a trait or score value satisfies the comparison; `nil` (absent) never does.
    func matches(_ value: JSONValue?, now: Int64) -> Bool {
        guard let value, value != .null else { return false }
        switch op {
        case .exists:
            return true
        case .ne:
            return value.isScalar && ordering(of: value, against: values[0], now: now) != 0
        case .in:
            return values.contains { ordering(of: value, against: $0, now: now) == 0 }
        case .between:
            guard let low = ordering(of: value, against: values[0], now: now),
                let high = ordering(of: value, against: values[1], now: now)
            else { return false }
            return low >= 0 && high <= 0
        case .contains, .startsWith, .regex:
            guard case .string(let text) = value, case .string(let operand) = values[0] else { return false }
            switch op {
            case .contains: return text.utf8.firstRange(of: operand.utf8) != nil
            case .startsWith: return text.utf8.starts(with: operand.utf8)
            default: return SegmentSQLFunctions.matches(text, pattern: operand)
            }
        case .eq, .lt, .le, .gt, .ge:
            return ordering(of: value, against: values[0], now: now).map(op.accepts(ordering:)) ?? false
        }
    }

    /// How `value` orders against `operand` (negative, zero, positive), or `nil` when they are of
    /// different kinds: strings byte by byte, numbers numerically, booleans by equality, and a
    /// trait string holding a date against a relative time by instant.
    func ordering(of value: JSONValue, against operand: SegmentValue, now: Int64) -> Int? {
        switch (value, operand) {
        case (.string(let text), .string(let other)):
            if text.utf8.elementsEqual(other.utf8) { return 0 }
            return text.utf8.lexicographicallyPrecedes(other.utf8) ? -1 : 1
        case (.number(let number), .number(let other)):
            return number < other ? -1 : (number > other ? 1 : 0)
        case (.bool(let flag), .bool(let other)):
            return flag == other ? 0 : 1
        case (.string(let text), .relativeTime(let time)):
            guard let instant = SegmentSQLFunctions.milliseconds(ofTime: text) else { return nil }
            let other = time.milliseconds(now: now)
            return instant < other ? -1 : (instant > other ? 1 : 0)
        default:
            return nil
        }
    }
}

extension JSONValue {
    /// Whether the value is a string, a number or a boolean.
    var isScalar: Bool {
        switch self {
        case .string, .number, .bool: true
        default: false
        }
    }
}

extension EventCountCondition {
    func isSatisfied(by facts: CustomerFacts) -> Bool {
        let start = inLast.map { facts.now - $0.milliseconds } ?? Int64.min
        let times = facts.events[name] ?? []
        // Without a window every event counts, a future-dated one too; a window ends now.
        let found = inLast == nil ? times.count : times.count { $0 >= start && $0 <= facts.now }
        return op.accepts(ordering: found < count ? -1 : (found > count ? 1 : 0))
    }
}

extension EventSequenceCondition {
    func isSatisfied(by facts: CustomerFacts) -> Bool {
        let start = inLast.map { facts.now - $0.milliseconds } ?? Int64.min
        // "Not followed" needs the whole gap to have passed; "followed" only looks up to now.
        let latestFirst = isFollowed ? facts.now : facts.now - within.milliseconds
        let firsts = facts.events[name] ?? []
        let nexts = facts.events[next] ?? []
        for (index, time) in firsts.enumerated() where time >= start && time <= latestFirst {
            let end = min(time + within.milliseconds, facts.now)
            let isFollowedHere = nexts.indices.contains { other in
                !(name == next && other == index) && nexts[other] >= time && nexts[other] <= end
            }
            if isFollowedHere == isFollowed { return true }
        }
        return false
    }
}
