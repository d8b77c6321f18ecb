import Foundation
import PatronCore
import PatronSegments
import PatronStorage
import Testing

/// `score.changed` triggers: a new score that makes the condition start to hold sends one webhook;
/// customers who already satisfied it when the trigger was created do not.
struct ScoreTriggerTests {
    static let churnRisk = #"""
        {"all": [{"score": "valueDecile", "op": "ge", "value": 8}, {"score": "probabilityAlive", "op": "lt", "value": 0.5}]}
        """#

    @Test func crossingIntoTheConditionSendsOneWebhookWithTheNewScore() async throws {
        let test = try SegmentTestStore()
        let store = test.store
        _ = try await store.createDestination(name: "crm", url: "https://crm.example.org/hook")
        try await test.send([
            try SegmentTestStore.identify("ann", #"{"plan": "pro"}"#),
            try SegmentTestStore.identify("bob", #"{"plan": "pro"}"#),
        ])
        try await test.saveScores([("ann", 0.9, 900, 9), ("bob", 0.3, 800, 9)])
        let trigger = try await store.createScoreTrigger(
            name: "churn-risk",
            condition: try SegmentCondition.parse(Self.churnRisk),
            destination: "crm",
            at: SegmentTestStore.now
        )
        #expect(trigger.event == .scoreChanged && trigger.segment == "score:churn-risk")
        // bob was already at risk: a member of the trigger's segment, and no webhook.
        let ann = try await test.customer("ann")
        let bob = try await test.customer("bob")
        #expect(try await store.segmentMembers(named: "score:churn-risk") == [bob])
        #expect(try await store.deliveries(destination: "crm").isEmpty)

        // ann's new score crosses into the condition (as after a real-time re-score).
        try await test.saveScores([("ann", 0.4, 900, 9), ("bob", 0.3, 800, 9)])
        _ = try await store.evaluateSegments(for: [ann, bob], at: SegmentTestStore.now.addingTimeInterval(60))
        let deliveries = try await store.deliveries(destination: "crm")
        #expect(deliveries.map(\.customerId) == [ann])
        let delivery = try #require(deliveries.first)
        #expect(delivery.eventType == "score.changed")
        let payload = try JSONValue.parse(Data(delivery.payload.utf8))
        #expect(payload["type"]?.stringValue == "score.changed" && payload["trigger"]?.stringValue == "churn-risk")
        #expect(payload["customer"]?["score"]?["probabilityAlive"] == .number(0.4))

        // Staying at risk sends nothing more.
        _ = try await store.evaluateSegments(for: [ann, bob], at: SegmentTestStore.now.addingTimeInterval(120))
        #expect(try await store.deliveries(destination: "crm").count == 1)
    }

    @Test func aConditionWithoutScoresOrAnUnknownDestinationIsRefused() async throws {
        let test = try SegmentTestStore()
        let store = test.store
        _ = try await store.createDestination(name: "crm", url: "https://crm.example.org/hook")
        await #expect(throws: SegmentError.self) {
            try await store.createScoreTrigger(
                name: "t",
                condition: try SegmentCondition.parse(#"{"trait": "plan", "op": "eq", "value": "pro"}"#),
                destination: "crm"
            )
        }
        await #expect(throws: SegmentError.self) {
            try await store.createScoreTrigger(
                name: "t",
                condition: try SegmentCondition.parse(Self.churnRisk),
                destination: "nowhere"
            )
        }
        // Nothing was left behind by the refused triggers.
        #expect(try await store.segmentDefinitions().isEmpty)
        #expect(try await store.triggers().isEmpty)
    }
}
