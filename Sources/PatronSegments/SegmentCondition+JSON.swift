import Foundation
public import PatronCore
import PatronStorage

extension SegmentCondition {
    /// Reads a condition from its JSON form, an object with one of these keys:
    /// - `{"all": [c, …]}`, `{"any": [c, …]}`, `{"not": c}`;
    /// - `{"trait": "plan", "op": "eq", "value": "pro"}` with `op` one of ``ComparisonOperator``
    ///   (`exists` takes no `value`, `in` a list, `between` two values); a value is a string, a
    ///   number, a boolean or a relative time (`"now-30d"`);
    /// - `{"score": "probabilityAlive", "op": "lt", "value": 0.5}` (see ``ScoreField``);
    /// - `{"event": "Order Completed", "op": "ge", "count": 3, "inLast": "90d"}` (`op` and `count`
    ///   default to "at least once", `inLast` to all time);
    /// - `{"event": "Product Added", "notFollowedBy": "Order Completed", "within": "1h"}` (or
    ///   `followedBy`; optional `inLast` for the first event);
    /// - `{"segment": "VIP"}`.
    /// - Throws: ``SegmentError`` with code `.invalidDefinition` and the JSON path of the problem.
    public init(json: JSONValue) throws(SegmentError) {
        self = try ConditionReader.condition(json, at: "")
    }

    /// Reads a condition from JSON text.
    /// - Throws: ``SegmentError`` with code `.invalidDefinition`.
    public static func parse(_ text: String) throws(SegmentError) -> SegmentCondition {
        try SegmentCondition(json: ConditionReader.json(text, what: "the definition"))
    }

    /// The JSON form (what ``init(json:)`` reads).
    public var json: JSONValue {
        switch self {
        case .trait(let key, let comparison): .object(comparison.jsonMembers(["trait": .string(key)]))
        case .score(let field, let comparison): .object(comparison.jsonMembers(["score": .string(field.rawValue)]))
        case .eventCount(let condition):
            .object(
                [
                    "event": .string(condition.name), "op": .string(condition.op.rawValue),
                    "count": .number(Double(condition.count)),
                ].merging(condition.inLast.map { ["inLast": .string($0.description)] } ?? [:]) { $1 }
            )
        case .eventSequence(let condition):
            .object(
                [
                    "event": .string(condition.name),
                    condition.isFollowed ? "followedBy" : "notFollowedBy": .string(condition.next),
                    "within": .string(condition.within.description),
                ].merging(condition.inLast.map { ["inLast": .string($0.description)] } ?? [:]) { $1 }
            )
        case .segment(let name): .object(["segment": .string(name)])
        case .all(let conditions): .object(["all": .array(conditions.map(\.json))])
        case .any(let conditions): .object(["any": .array(conditions.map(\.json))])
        case .not(let condition): .object(["not": condition.json])
        }
    }

    /// The canonical JSON text (sorted keys), as the store keeps it.
    public var jsonText: String { json.jsonText }
}

extension Comparison {
    /// `op` and `value` added to the other members of a condition object.
    func jsonMembers(_ members: [String: JSONValue]) -> [String: JSONValue] {
        var members = members
        members["op"] = .string(op.rawValue)
        switch op {
        case .exists: break
        case .in, .between: members["value"] = .array(values.map(\.json))
        default: members["value"] = values.first?.json
        }
        return members
    }
}

/// Reads the JSON form of conditions, naming the JSON path of every problem.
enum ConditionReader {
    /// `text` read as JSON; `what` names it in the error.
    static func json(_ text: String, what: String) throws(SegmentError) -> JSONValue {
        do {
            return try JSONValue.parse(Data(text.utf8))
        } catch {
            throw SegmentError(.invalidDefinition, "\(what) is not valid JSON: \(error)")
        }
    }

    static let kinds = ["all", "any", "not", "trait", "score", "event", "segment"]

    static func condition(_ json: JSONValue, at path: String) throws(SegmentError) -> SegmentCondition {
        guard let members = json.objectValue else {
            throw invalid(path, "expected a condition object with one of the keys \(kinds.joined(separator: ", "))")
        }
        let present = kinds.filter { members[$0] != nil }
        guard present.count == 1, let kind = present.first else {
            throw invalid(
                path,
                present.isEmpty
                    ? "a condition needs one of the keys \(kinds.joined(separator: ", "))"
                    : "a condition has exactly one of the keys \(kinds.joined(separator: ", ")); found \(present.joined(separator: " and "))"
            )
        }
        switch kind {
        case "all", "any":
            try expectKeys(members, [kind], kind: kind, at: path)
            guard let items = members[kind]?.arrayValue else {
                throw invalid(join(path, kind), "expected an array of conditions")
            }
            var conditions: [SegmentCondition] = []
            for (index, item) in items.enumerated() {
                conditions.append(try condition(item, at: "\(join(path, kind))[\(index)]"))
            }
            return kind == "all" ? .all(conditions) : .any(conditions)
        case "not":
            try expectKeys(members, ["not"], kind: kind, at: path)
            return .not(try condition(members["not"]!, at: join(path, "not")))
        case "trait":
            try expectKeys(members, ["trait", "op", "value"], kind: kind, at: path)
            let key = try string(members, "trait", at: path, what: "the trait key")
            return .trait(key: key, try comparison(members, at: path, field: nil))
        case "score":
            try expectKeys(members, ["score", "op", "value"], kind: kind, at: path)
            let name = try string(members, "score", at: path, what: "a score field")
            guard let field = ScoreField(rawValue: name) else {
                throw invalid(
                    join(path, "score"),
                    "unknown score '\(name)'; use \(ScoreField.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            return .score(field, try comparison(members, at: path, field: field))
        case "event":
            return try event(members, at: path)
        default:
            try expectKeys(members, ["segment"], kind: kind, at: path)
            return .segment(try string(members, "segment", at: path, what: "a segment name"))
        }
    }

    static func event(_ members: [String: JSONValue], at path: String) throws(SegmentError) -> SegmentCondition {
        let name = try string(members, "event", at: path, what: "an event name")
        let inLast = try members["inLast"] == nil ? nil : duration(members, "inLast", at: path)
        let sequenceKeys = ["followedBy", "notFollowedBy"].filter { members[$0] != nil }
        if sequenceKeys.isEmpty {
            try expectKeys(members, ["event", "op", "count", "inLast"], kind: "event", at: path)
            var op = ComparisonOperator.ge
            if members["op"] != nil {
                op = try comparisonOperator(members, at: path)
                guard ComparisonOperator.countOperators.contains(op) else {
                    throw invalid(
                        join(path, "op"),
                        "'\(op.rawValue)' does not compare counts; use \(ComparisonOperator.list(ComparisonOperator.countOperators))"
                    )
                }
            }
            var count = 1
            if let value = members["count"] {
                guard case .number(let number) = value, number >= 0, number <= 1e9, number == number.rounded() else {
                    throw invalid(join(path, "count"), "expected a whole number of events, 0 or more")
                }
                count = Int(number)
            }
            return .eventCount(EventCountCondition(name: name, op: op, count: count, inLast: inLast))
        }
        try expectKeys(members, ["event", sequenceKeys[0], "within", "inLast"], kind: "event sequence", at: path)
        guard sequenceKeys.count == 1 else {
            throw invalid(path, "use either followedBy or notFollowedBy, not both")
        }
        let next = try string(members, sequenceKeys[0], at: path, what: "an event name")
        guard members["within"] != nil else {
            throw invalid(join(path, "within"), "\(sequenceKeys[0]) needs 'within', the longest gap, like \"1h\"")
        }
        return .eventSequence(
            EventSequenceCondition(
                name: name,
                next: next,
                isFollowed: sequenceKeys[0] == "followedBy",
                within: try duration(members, "within", at: path),
                inLast: inLast
            )
        )
    }

    /// The `op` and `value` members, checked against each other and against a score field's kind.
    static func comparison(
        _ members: [String: JSONValue],
        at path: String,
        field: ScoreField?
    ) throws(SegmentError) -> Comparison {
        let op = try comparisonOperator(members, at: path)
        let valuePath = join(path, "value")
        let json = members["value"]
        if op == .exists {
            guard json == nil else { throw invalid(valuePath, "'exists' takes no value") }
            return Comparison(.exists)
        }
        guard let json else { throw invalid(valuePath, "'\(op.rawValue)' needs a value") }
        var values: [SegmentValue] = []
        switch op {
        case .in, .between:
            guard let items = json.arrayValue, op == .in ? !items.isEmpty : items.count == 2 else {
                throw invalid(
                    valuePath,
                    op == .in
                        ? "'in' needs a non-empty array of values, like [\"gold\", \"silver\"]"
                        : "'between' needs an array of two values, like [1, 10]"
                )
            }
            for (index, item) in items.enumerated() {
                values.append(try value(item, at: "\(valuePath)[\(index)]"))
            }
        default:
            values = [try value(json, at: valuePath)]
        }
        try check(op, values, field: field, at: valuePath)
        return Comparison(op, values)
    }

    /// Checks the values suit the operator (and the score field).
    static func check(
        _ op: ComparisonOperator,
        _ values: [SegmentValue],
        field: ScoreField?,
        at path: String
    ) throws(SegmentError) {
        let kinds = values.map(\.kind)
        switch op {
        case .lt, .le, .gt, .ge, .between:
            if kinds.contains(.bool) {
                throw invalid(path, "'\(op.rawValue)' orders strings, numbers and times, not booleans")
            }
            if op == .between, kinds[0] != kinds[1] {
                throw invalid(path, "'between' needs two values of the same kind; got a \(kinds[0]) and a \(kinds[1])")
            }
        case .contains, .startsWith, .regex:
            guard case .string(let text) = values[0] else {
                throw invalid(path, "'\(op.rawValue)' needs a string")
            }
            if text.isEmpty { throw invalid(path, "'\(op.rawValue)' needs a non-empty string") }
            if op == .regex, !SegmentSQLFunctions.isValidPattern(text) {
                throw invalid(path, "invalid regular expression '\(text)'")
            }
        default:
            break
        }
        guard let field else { return }
        let expected: SegmentValue.Kind = field.isText ? .string : .number
        if let wrong = kinds.first(where: { $0 != expected }) {
            throw invalid(
                path,
                "score '\(field.rawValue)' is a \(expected.rawValue); a \(wrong.rawValue) never matches it"
            )
        }
    }

    static func value(_ json: JSONValue, at path: String) throws(SegmentError) -> SegmentValue {
        guard let value = SegmentValue(json: json) else {
            throw invalid(path, "expected a string, a number, a boolean or a relative time like \"now-30d\"")
        }
        if case .string(let text) = value, text.hasPrefix("now-") || text.hasPrefix("now+") {
            throw invalid(
                path,
                "invalid relative time '\(text)'; use now, now-<duration> or now+<duration>, like now-30d"
            )
        }
        return value
    }

    static func comparisonOperator(
        _ members: [String: JSONValue],
        at path: String
    ) throws(SegmentError) -> ComparisonOperator {
        let name = try string(members, "op", at: path, what: "an operator")
        guard let op = ComparisonOperator(rawValue: name) else {
            throw invalid(join(path, "op"), "unknown operator '\(name)'; use \(ComparisonOperator.list())")
        }
        return op
    }

    static func duration(
        _ members: [String: JSONValue],
        _ key: String,
        at path: String
    ) throws(SegmentError) -> SegmentDuration {
        let text = try string(members, key, at: path, what: "a duration")
        guard let duration = SegmentDuration(text), duration.amount > 0 else {
            throw invalid(join(path, key), "invalid duration '\(text)'; \(SegmentDuration.syntax)")
        }
        return duration
    }

    static func string(
        _ members: [String: JSONValue],
        _ key: String,
        at path: String,
        what: String
    ) throws(SegmentError) -> String {
        guard let value = members[key] else { throw invalid(join(path, key), "missing; expected \(what)") }
        guard let text = value.stringValue, !text.isEmpty else {
            throw invalid(join(path, key), "expected \(what) as a non-empty string")
        }
        return text
    }

    static func expectKeys(
        _ members: [String: JSONValue],
        _ allowed: [String],
        kind: String,
        at path: String
    ) throws(SegmentError) {
        if let unknown = members.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw invalid(
                join(path, unknown),
                "unknown key '\(unknown)' in a \(kind) condition; use \(allowed.joined(separator: ", "))"
            )
        }
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    static func invalid(_ path: String, _ message: String) -> SegmentError {
        SegmentError(.invalidDefinition, path: path, message)
    }
}
