import PatronCore
import PatronSegments
import Testing

/// The JSON form of conditions: round trips, durations and the error messages with their paths.
struct ConditionJSONTests {
    @Test func aConditionRoundTripsThroughItsJSON() throws {
        let text = """
            {"all":[{"trait":"plan","op":"in","value":["pro","gold"]},
            {"trait":"signedUpAt","op":"gt","value":"now-30d"},
            {"any":[{"event":"Order Completed","op":"ge","count":3,"inLast":"90d"},
            {"event":"Product Added","notFollowedBy":"Order Completed","within":"1h","inLast":"7d"}]},
            {"not":{"segment":"Churned"}},{"score":"probabilityAlive","op":"between","value":[0.2,0.5]},
            {"trait":"email","op":"exists"}]}
            """
        let condition = try SegmentCondition.parse(text)
        #expect(try SegmentCondition.parse(condition.jsonText) == condition)
        #expect(condition.referencedSegments == ["Churned"])
        #expect(condition.eventLookbackMilliseconds == SegmentDuration("90d")?.milliseconds)
        guard case .all(let parts) = condition, case .trait("signedUpAt", let comparison) = parts[1] else {
            Issue.record("unexpected shape \(condition)")
            return
        }
        #expect(comparison == Comparison(.gt, [.relativeTime(RelativeTime("now-30d")!)]))
    }

    @Test(arguments: [
        ("90d", 7_776_000_000), ("1h", 3_600_000), ("30m", 1_800_000), ("2w", 1_209_600_000), ("45s", 45_000),
    ])
    func durationsReadTheirUnit(text: String, milliseconds: Int64) throws {
        let duration = try #require(SegmentDuration(text))
        #expect(duration.milliseconds == milliseconds)
        #expect(duration.description == text)
    }

    @Test(arguments: ["d", "1.5h", "-1d", "1y", "90 d", "", "9999999d"])
    func invalidDurationsAreRejected(text: String) {
        #expect(SegmentDuration(text) == nil)
    }

    static let errors: [(definition: String, message: String)] = [
        (
            #"{"all":[{"trait":"a","op":"eq","value":1},{"trait":"b","op":"exists"},{"trait":"plan","op":"equals","value":"pro"}]}"#,
            "all[2].op: unknown operator 'equals'; use eq, ne, lt, le, gt, ge, in, contains, exists, startsWith, regex, between"
        ),
        (#"{"trait":"age","op":"between","value":[1]}"#, "value: 'between' needs an array of two values, like [1, 10]"),
        (
            #"{"trait":"age","op":"between","value":[1,"now"]}"#,
            "value: 'between' needs two values of the same kind; got a number and a time"
        ),
        (
            #"{"trait":"plan","op":"in","value":[]}"#,
            #"value: 'in' needs a non-empty array of values, like ["gold", "silver"]"#
        ),
        (
            #"{"event":"Order Completed","inLast":"90 days"}"#,
            "inLast: invalid duration '90 days'; use a whole number and a unit s, m, h, d or w, like 90d"
        ),
        (
            #"{"score":"clv","op":"gt","value":1}"#,
            "score: unknown score 'clv'; use lifetimeValue3Years, lifetimeValue1Year, probabilityAlive, valueDecile, tier, expectedPurchases365Days, expectedPurchases90Days, expectedSpend"
        ),
        (#"{"not":{"trait":"plan","op":"regex","value":"(["}}"#, "not.value: invalid regular expression '(['"),
        (#"{"any":[{"trait":"plan","op":"exists","value":1}]}"#, "any[0].value: 'exists' takes no value"),
        (#"{"trait":"plan","op":"eq"}"#, "value: 'eq' needs a value"),
        (#"{"trait":"plan","eq":"pro"}"#, "eq: unknown key 'eq' in a trait condition; use trait, op, value"),
        (#"{"trait":"","op":"exists"}"#, "trait: expected the trait key as a non-empty string"),
        (#"{"score":"tier","op":"eq","value":3}"#, "value: score 'tier' is a string; a number never matches it"),
        (#"{"trait":"x","op":"lt","value":true}"#, "value: 'lt' orders strings, numbers and times, not booleans"),
        (#"{"trait":"x","op":"contains","value":""}"#, "value: 'contains' needs a non-empty string"),
        (
            #"{"trait":"x","op":"eq","value":{"a":1}}"#,
            #"value: expected a string, a number, a boolean or a relative time like "now-30d""#
        ),
        (#"{"event":"A","notFollowedBy":"B"}"#, #"within: notFollowedBy needs 'within', the longest gap, like "1h""#),
        (
            #"{"event":"A","followedBy":"B","notFollowedBy":"C","within":"1h"}"#,
            "notFollowedBy: unknown key 'notFollowedBy' in a event sequence condition; use event, followedBy, within, inLast"
        ),
        (
            #"{"event":"A","op":"contains","count":1}"#,
            "op: 'contains' does not compare counts; use eq, ne, lt, le, gt, ge"
        ),
        (#"{"event":"A","count":1.5}"#, "count: expected a whole number of events, 0 or more"),
        (
            #"{"trait":"signedUpAt","op":"gt","value":"now-30days"}"#,
            "value: invalid relative time 'now-30days'; use now, now-<duration> or now+<duration>, like now-30d"
        ),
        (
            #"{"trait":"a","event":"b"}"#,
            "a condition has exactly one of the keys all, any, not, trait, score, event, segment; found trait and event"
        ),
        (#"{"all":{"trait":"a","op":"exists"}}"#, "all: expected an array of conditions"),
        (#"[1]"#, "expected a condition object with one of the keys all, any, not, trait, score, event, segment"),
    ]

    @Test func errorsNameTheJSONPathAndTheFix() {
        for (definition, message) in Self.errors {
            let error = #expect(throws: SegmentError.self, "\(definition)") {
                try SegmentCondition.parse(definition)
            }
            #expect(error?.code == .invalidDefinition)
            #expect(error?.description == message)
        }
    }

    @Test func invalidJSONSaysSo() {
        #expect {
            _ = try SegmentCondition.parse(#"{"all": ["#)
        } throws: { error in
            (error as? SegmentError)?.message.hasPrefix("the definition is not valid JSON") == true
        }
    }
}
