import PatronCore
import PatronNumerics
import PatronSegments

/// Seeded random customers (traits and event times) and random conditions over them, drawn from
/// small pools so that values, windows and boundaries often coincide.
struct RandomSegmentData {
    var random: SeededGenerator

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    static let traitKeys = ["plan", "age", "vip", "signedUpAt", "tags"]
    static let eventNames = ["A", "B", "C"]
    static let segmentNames = ["base-a", "base-b"]
    static let traitValues: [JSONValue] = [
        .string("free"), .string("pro"), .string("pro-annual"), .string("Pro"), .string("über"), .string(""),
        .string("2025-05-01"), .string("2025-05-20T10:00:00Z"), .string("2025-05-31 23:00:00.000"),
        .string("2025-05-02T00:00:00+02:00"), .string("2025-05-02T00:00:00.5Z"), .string("not a date"),
        .string("2025-06-03T12:00:00Z"), .string("2025-06-20"),
        .number(0), .number(1), .number(2.5), .number(34), .number(-3), .bool(true), .bool(false), .null,
        .array([.string("a")]), .object(["k": .number(1)]),
    ]
    static let strings = ["free", "pro", "pro-annual", "Pro", "über", "2025-05-01", "not a date", "a", "p"]
    static let numbers: [Double] = [0, 1, 2.5, 34, -3, 10]
    static let times = ["now", "now-30d", "now-1d", "now+1h", "now-12d", "now-12h", "now-30d"]
    static let fragments = ["pro", "o", "2025", "ü", "-"]
    static let patterns = ["^p", "o$", "^[0-9]{4}-", "ü", "P"]
    static let windows = ["1h", "1d", "7d", "30d", "90d"]
    static let gaps = ["30m", "1h", "1d"]
    static let minute: Int64 = 60_000

    mutating func pick<T>(_ items: [T]) -> T { items.randomElement(using: &random)! }

    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &random) < probability }

    /// A random subset of the trait keys with random values.
    mutating func traits() -> JSONValue {
        var traits: [String: JSONValue] = [:]
        for key in Self.traitKeys where chance(0.7) { traits[key] = pick(Self.traitValues) }
        return .object(traits)
    }

    /// Milliseconds before now of a random event: minutes up to 120 days (a few in the future,
    /// some with milliseconds), or exactly on a window's edge.
    mutating func eventAge() -> Int64 {
        if chance(0.25) { return SegmentDuration(pick(Self.windows + Self.gaps))!.milliseconds }
        let milliseconds = chance(0.3) ? Int64.random(in: 0..<60_000, using: &random) : 0
        return Int64.random(in: -2 * 24 * 60...120 * 24 * 60, using: &random) * Self.minute + milliseconds
    }

    /// Event names with their ages: random events, and pairs a gap apart.
    mutating func events() -> [(name: String, age: Int64)] {
        var events: [(String, Int64)] = []
        for _ in 0..<Int.random(in: 0...8, using: &random) { events.append((pick(Self.eventNames), eventAge())) }
        if chance(0.5) {
            let first = eventAge()
            let gap = SegmentDuration(pick(Self.gaps))!.milliseconds + pick([-Self.minute, -1, 0, 1, Self.minute])
            events += [(pick(Self.eventNames), first), (pick(Self.eventNames), first - gap)]
        }
        return events
    }

    mutating func value(of kind: String) -> SegmentValue {
        switch kind {
        case "string": .string(pick(Self.strings))
        case "number": .number(pick(Self.numbers))
        case "bool": .bool(chance(0.5))
        default: .relativeTime(RelativeTime(pick(Self.times))!)
        }
    }

    mutating func traitComparison() -> Comparison {
        let op = pick(ComparisonOperator.allCases)
        switch op {
        case .exists: return Comparison(.exists)
        case .in: return Comparison(.in, (0..<Int.random(in: 1...3, using: &random)).map { _ in anyValue() })
        case .between:
            let kind = pick(["string", "number", "time"])
            return Comparison(.between, [value(of: kind), value(of: kind)])
        case .lt, .le, .gt, .ge: return Comparison(op, [value(of: pick(["string", "number", "time"]))])
        case .contains, .startsWith: return Comparison(op, [.string(pick(Self.fragments))])
        case .regex: return Comparison(op, [.string(pick(Self.patterns))])
        case .eq, .ne: return Comparison(op, [anyValue()])
        }
    }

    mutating func anyValue() -> SegmentValue { value(of: pick(["string", "number", "bool", "time"])) }

    mutating func scoreCondition() -> SegmentCondition {
        let field = pick(ScoreField.allCases)
        let values: () -> [SegmentValue]
        var op = pick([ComparisonOperator.eq, .ne, .lt, .le, .gt, .ge, .in, .between, .exists])
        if field == .tier {
            if chance(0.3) { op = pick([.contains, .startsWith, .regex]) }
            let tiers = ["top", "high", "medium", "low", "hi"].map(SegmentValue.string)
            values = { tiers }
        } else {
            values = { [0.3, 0.5, 0.9, 5, 7, 10, 50, 200].map(SegmentValue.number) }
        }
        let pool = values()
        switch op {
        case .exists: return .score(field, Comparison(.exists))
        case .between: return .score(field, Comparison(.between, [pick(pool), pick(pool)]))
        case .in: return .score(field, Comparison(.in, [pick(pool), pick(pool)]))
        case .regex: return .score(field, Comparison(.regex, [.string(pick(["^h", "o", "w$"]))]))
        default: return .score(field, Comparison(op, [pick(pool)]))
        }
    }

    /// A random condition at most `depth` levels of and/or/not deep.
    mutating func condition(depth: Int) -> SegmentCondition {
        let window = chance(0.7) ? SegmentDuration(pick(Self.windows)) : nil
        switch Int.random(in: depth > 0 ? 0...9 : 0...6, using: &random) {
        case 0, 1: return .trait(key: pick(Self.traitKeys), traitComparison())
        case 2: return scoreCondition()
        case 3:
            return .eventCount(
                EventCountCondition(
                    name: pick(Self.eventNames),
                    op: pick(ComparisonOperator.allCases.filter { [.eq, .ne, .lt, .le, .gt, .ge].contains($0) }),
                    count: Int.random(in: 0...4, using: &random),
                    inLast: window
                )
            )
        case 4, 5:
            return .eventSequence(
                EventSequenceCondition(
                    name: pick(Self.eventNames),
                    next: pick(Self.eventNames),
                    isFollowed: chance(0.5),
                    within: SegmentDuration(pick(Self.gaps))!,
                    inLast: window
                )
            )
        case 6: return .segment(pick(Self.segmentNames))
        case 7: return .not(condition(depth: depth - 1))
        case 8: return .all((0..<Int.random(in: 0...3, using: &random)).map { _ in condition(depth: depth - 1) })
        default: return .any((0..<Int.random(in: 0...3, using: &random)).map { _ in condition(depth: depth - 1) })
        }
    }
}
