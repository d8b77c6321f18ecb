import Foundation
import PatronCore
import Testing

struct SegmentRequestTests {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func parse(
        _ text: String,
        single: SegmentEventType? = nil,
        limits: IngestLimits = IngestLimits()
    ) throws -> SegmentRequest {
        try SegmentRequest.parse(body: Data(text.utf8), single: single, receivedAt: now, limits: limits)
    }

    @Test func validBatchIsAcceptedAndContextMerges() throws {
        let request = try parse(
            """
            {"batch":[
              {"type":"identify","userId":"u1","messageId":"m1","traits":{"email":"a@b.c"}},
              {"type":"track","anonymousId":"a1","event":"Order Completed","messageId":"m2","context":{"ip":"1.2.3.4"}}
            ],"context":{"library":{"name":"analytics-python"},"ip":"9.9.9.9"},"writeKey":"k"}
            """
        )
        #expect(request.accepted.count == 2)
        #expect(request.rejected.isEmpty)
        #expect(request.writeKey == "k")
        #expect(request.accepted[1].payload["context"]?["ip"] == .string("1.2.3.4"), "the event's own context wins")
        #expect(request.accepted[1].payload["context"]?["library"]?["name"] == .string("analytics-python"))
        #expect(request.accepted[0].payload["traits"]?["email"] == .string("a@b.c"))
        #expect(request.accepted[1].name == "Order Completed")
    }

    @Test(arguments: [
        (#"{"type":"track","event":"x","messageId":"m"}"#, QuarantineReason.missingIdentity),
        (#"{"type":"track","userId":"u","messageId":"m"}"#, .missingEventName),
        (#"{"type":"fly","userId":"u","messageId":"m"}"#, .invalidType),
        (#"{"userId":"u","messageId":"m"}"#, .invalidType),
        (#"{"type":"identify","userId":"u","messageId":"m","timestamp":"yesterday"}"#, .invalidTimestamp),
        (#"{"type":"identify","userId":"u","messageId":"m","timestamp":"2024-02-30T00:00:00Z"}"#, .invalidTimestamp),
        (#"{"type":"identify","userId":"u","messageId":"\#(String(repeating: "x", count: 101))"}"#, .invalidMessageId),
        (#"{"type":"identify","userId":"u","messageId":"m","traits":[1,2]}"#, .invalidField),
        (#"{"type":"identify","userId":{"a":1},"messageId":"m"}"#, .invalidField),
        (#"{"type":"group","userId":"u","messageId":"m"}"#, .missingRequiredField),
        (#"{"type":"alias","previousId":"p","messageId":"m"}"#, .missingRequiredField),
        (#""just a string""#, .notAnObject),
    ])
    func invalidEventsAreQuarantinedWithATypedReason(event: String, reason: QuarantineReason) throws {
        let request = try parse(#"{"batch":[\#(event),{"type":"page","userId":"u","messageId":"ok"}]}"#)
        #expect(request.rejected.map(\.reason) == [reason])
        #expect(request.accepted.map(\.messageId) == ["ok"], "the rest of the batch is kept")
    }

    @Test func anonymousIdNullIsAcceptedWithAUserId() throws {
        let request = try parse(#"{"batch":[{"type":"identify","userId":"u","anonymousId":null,"messageId":"m"}]}"#)
        #expect(request.accepted.count == 1)
        #expect(request.accepted[0].anonymousId == nil)
    }

    @Test func timestampsAreSkewCorrected() throws {
        // The client clock is 10 minutes fast: the event happened 5 s before the client sent it.
        let request = try parse(
            #"{"batch":[{"type":"track","userId":"u","event":"e","messageId":"m","originalTimestamp":"2023-11-14T22:23:15.000Z","sentAt":"2023-11-14T22:23:20.000000+00:00"}]}"#
        )
        #expect(request.accepted[0].timestamp == now.addingTimeInterval(-5))
    }

    @Test(arguments: [
        "2024-05-01T12:00:00Z", "2024-05-01T12:00:00.123Z", "2024-05-01T12:00:00.123456Z", "2024-05-01T12:00:00+00:00",
        "2024-05-01T14:00:00.123+02:00",
    ])
    func timestampFormatsClientsSendParse(text: String) throws {
        let date = try #require(SegmentTimestamp.parse(text))
        #expect(abs(date.timeIntervalSince1970 - 1_714_564_800) < 1)
    }

    @Test func wholeRequestErrorsNameTheProblem() {
        #expect(throws: IngestRequestError(status: 400, "the body is not valid JSON: expected a string key at byte 1"))
        {
            try parse("{nope")
        }
        #expect(throws: IngestRequestError(status: 400, "the body must be a JSON object")) { try parse("[1]") }
        #expect(throws: IngestRequestError(status: 400, "the body must have a \"batch\" array of events")) {
            try parse(#"{"batch":3}"#)
        }
        let limits = IngestLimits(maximumEventBytes: 200, maximumBatchBytes: 1000, maximumBatchEvents: 2)
        #expect(throws: IngestRequestError(status: 400, "batch of 3 events exceeds the limit of 2 events")) {
            try parse(#"{"batch":[{},{},{}]}"#, limits: limits)
        }
        #expect(throws: IngestRequestError.self) {
            try parse(String(repeating: " ", count: 1001) + "{}", limits: limits)
        }
        #expect(throws: IngestRequestError.self) {
            try parse(
                #"{"userId":"u","event":"\#(String(repeating: "x", count: 300))"}"#,
                single: .track,
                limits: limits
            )
        }
    }

    @Test func anOversizedEventInABatchIsQuarantined() throws {
        let limits = IngestLimits(maximumEventBytes: 200, maximumBatchBytes: 10_000, maximumBatchEvents: 10)
        let big =
            #"{"type":"track","userId":"u","event":"e","messageId":"m","properties":{"x":"\#(String(repeating: "y", count: 300))"}}"#
        let request = try parse(#"{"batch":[\#(big)]}"#, limits: limits)
        #expect(request.rejected.map(\.reason) == [.eventTooLarge])
    }

    @Test func missingMessageIdsAreDerivedDeterministically() throws {
        let body = #"{"batch":[{"type":"track","userId":"u","event":"e"}]}"#
        let first = try parse(body).accepted[0].messageId
        let second = try parse(body).accepted[0].messageId
        #expect(first == second)
        #expect(first.hasPrefix("generated-"))
        #expect(try parse(#"{"batch":[{"type":"track","userId":"u","event":"f"}]}"#).accepted[0].messageId != first)
    }

    @Test func idsWithControlCharactersAreQuarantinedNotTruncated() throws {
        let request = try parse(
            #"{"batch":[{"type":"track","userId":"u1","event":"A","messageId":"nul\u0000A"},{"type":"track","userId":"u\u0000","event":"A","messageId":"ok"}]}"#
        )
        #expect(request.accepted.isEmpty)
        #expect(request.rejected.map(\.reason) == [.invalidMessageId, .invalidField])
        let surrogates = try parse(
            #"{"batch":[{"type":"track","userId":"u1","event":"A","messageId":"\ud800"},{"type":"track","userId":"u1","event":"A","messageId":"\udfff"}]}"#
        )
        #expect(
            surrogates.rejected.map(\.reason) == [.invalidMessageId, .invalidMessageId],
            "two broken ids must not collide"
        )
    }

    @Test func anOversizedEventKeepsItsMessageId() throws {
        let limits = IngestLimits(maximumEventBytes: 100)
        let big = String(repeating: "x", count: 200)
        let request = try parse(
            #"{"batch":[{"type":"track","userId":"u1","event":"A","messageId":"keep-me","p":"\#(big)"}]}"#,
            limits: limits
        )
        #expect(request.rejected.first?.messageId == "keep-me")
    }
}
