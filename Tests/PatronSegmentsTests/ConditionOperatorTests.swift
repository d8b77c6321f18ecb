import Foundation
import PatronCore
import PatronSegments
import Testing

/// Each operator and condition kind on a small hand-made store, checked against the expected
/// customers through both engines (the compiled SQL and the in-memory evaluator).
struct ConditionOperatorTests {
    static let day: Int64 = 86_400_000
    static let hour: Int64 = 3_600_000

    /// ann, bob, cat and dan with traits, orders, carts and scores (see each case's expectation).
    static func makeStore() async throws -> SegmentTestStore {
        let test = try SegmentTestStore()
        try await test.send([
            try SegmentTestStore.identify(
                "ann",
                #"{"plan":"pro","age":34,"vip":true,"signedUpAt":"2025-05-20","email":"ann@example.com"}"#
            ),
            try SegmentTestStore.identify(
                "bob",
                #"{"plan":"free","age":19.5,"vip":false,"signedUpAt":"2024-12-01T10:00:00Z","tags":["a"]}"#
            ),
            try SegmentTestStore.identify("cat", #"{"plan":"pro-annual","age":"34","signedUpAt":"not a date"}"#),
            SegmentTestStore.track("dan", "Order Completed", millisecondsAgo: 100 * day),
        ])
        var events: [JSONValue] = [10, 40, 80, 200].map {
            SegmentTestStore.track("ann", "Order Completed", millisecondsAgo: $0 * day)
        }
        events += [
            SegmentTestStore.track("ann", "Product Added", millisecondsAgo: 3 * day),
            SegmentTestStore.track("ann", "Order Completed", millisecondsAgo: 3 * day - hour / 2),
            SegmentTestStore.track("bob", "Product Added", millisecondsAgo: 2 * day),
            SegmentTestStore.track("cat", "Product Added", millisecondsAgo: hour / 6),
        ]
        try await test.send(events)
        try await test.saveScores([
            ("ann", 0.9, 800, 10), ("bob", 0.3, 50, 3), ("cat", 0.6, 200, 7),
        ])
        return test
    }

    static let cases: [(definition: String, members: [String])] = [
        (#"{"trait":"plan","op":"eq","value":"pro"}"#, ["ann"]),
        (#"{"trait":"plan","op":"ne","value":"pro"}"#, ["bob", "cat"]),
        (#"{"trait":"age","op":"lt","value":30}"#, ["bob"]),
        (#"{"trait":"age","op":"le","value":34}"#, ["ann", "bob"]),
        (#"{"trait":"age","op":"gt","value":19.5}"#, ["ann"]),
        (#"{"trait":"age","op":"ge","value":19.5}"#, ["ann", "bob"]),
        (#"{"trait":"age","op":"eq","value":"34"}"#, ["cat"]),
        (#"{"trait":"plan","op":"in","value":["free","pro"]}"#, ["ann", "bob"]),
        (#"{"trait":"plan","op":"contains","value":"pro"}"#, ["ann", "cat"]),
        (#"{"trait":"plan","op":"startsWith","value":"pro-"}"#, ["cat"]),
        (#"{"trait":"email","op":"exists"}"#, ["ann"]),
        (#"{"trait":"tags","op":"exists"}"#, ["bob"]),
        (#"{"trait":"vip","op":"eq","value":true}"#, ["ann"]),
        (#"{"trait":"vip","op":"ne","value":true}"#, ["bob"]),
        (#"{"trait":"plan","op":"regex","value":"^pro(-annual)?$"}"#, ["ann", "cat"]),
        (#"{"trait":"age","op":"between","value":[19,30]}"#, ["bob"]),
        (#"{"trait":"signedUpAt","op":"gt","value":"now-30d"}"#, ["ann"]),
        (#"{"trait":"signedUpAt","op":"lt","value":"now-30d"}"#, ["bob"]),
        (#"{"trait":"signedUpAt","op":"between","value":["now-365d","now"]}"#, ["ann", "bob"]),
        (#"{"event":"Order Completed","op":"ge","count":3,"inLast":"90d"}"#, ["ann"]),
        (#"{"event":"Order Completed","op":"eq","count":0}"#, ["bob", "cat"]),
        (#"{"event":"Order Completed","inLast":"90d"}"#, ["ann"]),
        (#"{"event":"Order Completed","op":"lt","count":5}"#, ["bob", "cat", "dan"]),
        (#"{"event":"Product Added","notFollowedBy":"Order Completed","within":"1h"}"#, ["bob"]),
        (#"{"event":"Product Added","followedBy":"Order Completed","within":"1h"}"#, ["ann"]),
        (#"{"event":"Product Added","followedBy":"Order Completed","within":"20m"}"#, []),
        (#"{"event":"Order Completed","followedBy":"Order Completed","within":"31d","inLast":"90d"}"#, ["ann"]),
        (#"{"not":{"event":"Product Added"}}"#, ["dan"]),
        (#"{"score":"probabilityAlive","op":"lt","value":0.5}"#, ["bob"]),
        (#"{"score":"valueDecile","op":"ge","value":7}"#, ["ann", "cat"]),
        (#"{"score":"tier","op":"in","value":["top","high"]}"#, ["ann"]),
        (#"{"score":"lifetimeValue3Years","op":"between","value":[100,1000]}"#, ["ann", "cat"]),
        (#"{"score":"expectedPurchases365Days","op":"gt","value":10}"#, ["ann", "cat"]),
        (#"{"score":"tier","op":"exists"}"#, ["ann", "bob", "cat"]),
        (
            #"{"all":[{"trait":"plan","op":"contains","value":"pro"},{"score":"probabilityAlive","op":"gt","value":0.5}]}"#,
            ["ann", "cat"]
        ),
        (#"{"any":[{"trait":"vip","op":"eq","value":false},{"not":{"trait":"plan","op":"exists"}}]}"#, ["bob", "dan"]),
        (#"{"all":[]}"#, ["ann", "bob", "cat", "dan"]),
        (#"{"any":[]}"#, []),
    ]

    @Test func everyOperatorSelectsTheExpectedCustomersInBothEngines() async throws {
        let test = try await Self.makeStore()
        var ids: [Int64: String] = [:]
        for name in ["ann", "bob", "cat", "dan"] { ids[try await test.customer(name)] = name }
        for (definition, expected) in Self.cases {
            let condition = try SegmentCondition.parse(definition)
            let members = try await test.members(condition)
            #expect(members.sql.map { ids[$0]! } == expected, "SQL: \(definition)")
            #expect(members.memory.map { ids[$0]! } == expected, "memory: \(definition)")
        }
    }

    @Test func windowsMoveWithTheEvaluationTime() async throws {
        let test = try await Self.makeStore()
        let cat = try await test.customer("cat")
        let abandoned = try SegmentCondition.parse(
            #"{"event":"Product Added","notFollowedBy":"Order Completed","within":"1h","inLast":"1d"}"#
        )
        // Cat's cart is 10 minutes old at `now`: abandoned only once the hour has passed.
        let later = SegmentTestStore.now.addingTimeInterval(3600)
        #expect(try await test.members(abandoned).sql.contains(cat) == false)
        let afterAnHour = try await test.members(abandoned, at: later)
        #expect(afterAnHour.sql == [cat])
        #expect(afterAnHour.memory == [cat])
    }
}
