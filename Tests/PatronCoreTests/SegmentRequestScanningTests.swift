import Foundation
import PatronCore
import PatronNumerics
import Testing

/// The tracking API scans request bodies instead of building a tree. These tests hold the scan to
/// the tree validation it replaced (``TreeValidationOracle``) on random bodies, valid and broken.
struct SegmentRequestScanningTests {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    /// Random JSON text for a value, with the spellings a scan must keep apart: whitespace between
    /// tokens, escapes (`\"`, `\\`, `\/`, `\n`, `\u00e9`, surrogate pairs), non-ASCII bytes,
    /// numbers in several forms, repeated keys, nesting.
    static func value(_ random: inout SeededGenerator, depth: Int) -> String {
        let spaces = [" ", "", "\n  ", "\t"]
        func space() -> String { spaces.randomElement(using: &random)! }
        let strings = [
            #""plain""#, #""with \"quote\" and \\ slash \/""#, #""line\nbreak""#, #""caf\u00e9""#, "\"café ü 日本\"",
            #""\ud83d\ude00 emoji""#, #""""#, #""  spaced  ""#,
        ]
        let numbers = ["0", "-1", "1.0", "1e2", "2.5E-3", "12345678901234567890", "-0", "3.14159"]
        switch Int.random(in: 0..<(depth > 2 ? 4 : 6), using: &random) {
        case 0: return strings.randomElement(using: &random)!
        case 1: return numbers.randomElement(using: &random)!
        case 2: return ["true", "false", "null"].randomElement(using: &random)!
        case 3: return "[\(space())]"
        case 4:
            let count = Int.random(in: 0...3, using: &random)
            let elements = (0..<count).map { _ in space() + value(&random, depth: depth + 1) + space() }
            return "[" + elements.joined(separator: ",") + "]"
        default:
            let keys = ["a", "b", "zeta", "Alpha", "ключ", "a b", #"q\"k"#]
            let count = Int.random(in: 0...4, using: &random)
            let members = (0..<count).map { _ in
                "\(space())\"\(keys.randomElement(using: &random)!)\"\(space()):\(space())\(value(&random, depth: depth + 1))"
            }
            return "{" + members.joined(separator: ",") + "}"
        }
    }

    /// A random event: valid most of the time, with optional members of every kind.
    static func event(_ random: inout SeededGenerator, number: Int) -> String {
        var members: [String] = []
        let types = ["track", "identify", "page", "screen", "group", "alias"]
        members.append(#""type":"\#(types.randomElement(using: &random)!)""#)
        if Bool.random(using: &random) { members.append(#""messageId":"m-\#(number)""#) }
        if Int.random(in: 0..<4, using: &random) > 0 { members.append(#""userId":"u\#(number % 7)""#) }
        if Bool.random(using: &random) { members.append(#""anonymousId":"a-\#(number)""#) }
        members.append(#""event":"Viewed \#(number % 3)""#)
        members.append(#""groupId":"g1","previousId":"p1","name":"Home""#)
        if Bool.random(using: &random) { members.append(#""timestamp":"2026-11-26T10:00:00.123Z""#) }
        if Bool.random(using: &random) { members.append(#""sentAt":"2026-11-26T10:00:05+00:00""#) }
        for key in ["properties", "traits", "context", "integrations"] where Bool.random(using: &random) {
            // Mostly objects (anything else is rejected, which the second test covers).
            let member =
                Int.random(in: 0..<5, using: &random) == 0
                ? value(&random, depth: 1) : "{\"k\": \(value(&random, depth: 2))}"
            members.append("\"\(key)\" : \(member)")
            if key == "context" && Bool.random(using: &random) {
                // A key the batch's context also has: the event's own value wins.
                members.append(#""context":{"ip":"1.1.1.1","library":null}"#)
            }
        }
        for key in ["properties", "context"] where Int.random(in: 0..<4, using: &random) == 0 {
            // A repeated key: the last value counts.
            members.append("\"\(key)\":{\"again\":\(value(&random, depth: 2))}")
        }
        members.append("\"extra\": \(value(&random, depth: 1))")
        return "{ " + members.shuffled(using: &random).joined(separator: " ,\n ") + " }"
    }

    static func body(_ random: inout SeededGenerator) -> String {
        let events = (0..<Int.random(in: 1...6, using: &random)).map { event(&random, number: $0) }
        var members = [#""batch": [\#(events.joined(separator: ", "))]"#]
        if Bool.random(using: &random) { members.append(#""context":{"library":{"name":"lib"},"ip":"9.9.9.9"}"#) }
        if Bool.random(using: &random) { members.append(#""integrations":{"All":false}"#) }
        if Bool.random(using: &random) { members.append(#""context":"not an object""#) }
        return "{" + members.shuffled(using: &random).joined(separator: ",") + "}"
    }

    /// A body, sometimes edited at random bytes (most edits break it), sometimes for a single-event
    /// route.
    static func request(_ random: inout SeededGenerator) -> (body: [UInt8], single: SegmentEventType?) {
        var single: SegmentEventType?
        var bytes: [UInt8]
        if Int.random(in: 0..<5, using: &random) == 0 {
            single = [.track, .identify, .page].randomElement(using: &random)!
            var text = event(&random, number: 1)
            if Bool.random(using: &random) {
                text.insert(contentsOf: #""writeKey":"k","#, at: text.index(after: text.startIndex))
            }
            bytes = Array(text.utf8)
        } else {
            bytes = Array(body(&random).utf8)
        }
        guard Int.random(in: 0..<3, using: &random) == 0 else { return (bytes, single) }
        let edits: [UInt8] = Array(#"{}[]",:\ "0123456789.eE-+tfnul"#.utf8) + [0x00, 0x0A, 0x80, 0xC3, 0xFF]
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let position = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0: bytes.remove(at: position)
            case 1: bytes.insert(edits.randomElement(using: &random)!, at: position)
            case 2: bytes[position] = edits.randomElement(using: &random)!
            default: bytes.removeLast(Int.random(in: 0..<min(8, bytes.count), using: &random))
            }
            if bytes.isEmpty { bytes = [0x20] }
        }
        return (bytes, single)
    }

    /// Every body gets the verdict the tree validation gave it: the same error for a request, the
    /// same write key, the same events accepted with the same fields and the same stored value, the
    /// same events rejected with the same reason, detail, messageId and payload. (An invalid body's
    /// message may name another first problem than the tree parser's.)
    @Test(arguments: [1, 2, 3] as [UInt64])
    func everyBodyGetsTheVerdictOfTheTreeValidation(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        var counts = (accepted: 0, rejected: 0, failed: 0)
        for _ in 0..<1500 {
            let (bytes, single) = Self.request(&random)
            let body = Data(bytes)
            let shown = String(decoding: bytes, as: UTF8.self)
            let oracle = TreeValidationOracle.parse(body: body, single: single, receivedAt: now, limits: IngestLimits())
            let scanned = Result { () throws(IngestRequestError) in
                try SegmentRequest.parse(body: body, single: single, receivedAt: now)
            }
            switch (oracle, scanned) {
            case (.failed(let status, let message), .failure(let error)):
                #expect(error.status == status, "\(shown)")
                let prefix = "the body is not valid JSON"
                if message.hasPrefix(prefix) {
                    #expect(error.message.hasPrefix(prefix), "\(shown): \(error.message)")
                } else {
                    #expect(error.message == message, "\(shown)")
                }
                counts.failed += 1
            case (.parsed(let writeKey, let outcomes), .success(let request)):
                #expect(request.writeKey == writeKey)
                var accepted = request.accepted.makeIterator()
                var rejected = request.rejected.makeIterator()
                for outcome in outcomes {
                    switch outcome {
                    case .accepted(
                        let type,
                        let messageId,
                        let userId,
                        let anonymousId,
                        let name,
                        let timestamp,
                        let payload
                    ):
                        guard let event = accepted.next() else {
                            Issue.record("accepted by the tree, not by the scan: \(shown)")
                            continue
                        }
                        #expect(event.type == type && event.messageId == messageId, "\(shown)")
                        #expect(event.userId == userId && event.anonymousId == anonymousId && event.name == name)
                        #expect(event.timestamp == timestamp && event.receivedAt == now)
                        #expect(event.payload == payload, "\(shown)\n→ \(event.json)")
                        #expect(!event.json.contains("\n"), "compact")
                        counts.accepted += 1
                    case .rejected(let reason, let detail, let messageId, let payload):
                        guard let rejection = rejected.next() else {
                            Issue.record("rejected by the tree, not by the scan: \(shown)")
                            continue
                        }
                        #expect(rejection.reason == reason && rejection.detail == detail, "\(shown)")
                        #expect(rejection.messageId == messageId && rejection.payload == payload, "\(shown)")
                        counts.rejected += 1
                    }
                }
                #expect(accepted.next() == nil && rejected.next() == nil, "more events than the tree had: \(shown)")
            case (.failed(_, let message), .success):
                Issue.record("the tree failed the body (\(message)), the scan did not: \(shown)")
            case (.parsed, .failure(let error)):
                Issue.record("the scan failed the body (\(error.message)), the tree did not: \(shown)")
            }
        }
        #expect(counts.accepted > 1000 && counts.rejected > 300 && counts.failed > 300, "\(counts)")
    }

    /// Nested values are stored as sent; when that form is over the size limit but the canonical
    /// form (repeated keys dropped, escapes and numbers normalised) is not, the canonical form is
    /// stored, so no event the limit let through before is refused now.
    @Test func anEventOverTheLimitAsSentIsStoredCanonicalWhenThatFits() throws {
        let padding = String(repeating: "x", count: 300)
        let text =
            #"{"batch":[{"type":"track","event":"e","userId":"u","messageId":"m","properties":{"a":"\#(padding)","a":1}}]}"#
        let limits = IngestLimits(maximumEventBytes: 250)
        let request = try SegmentRequest.parse(body: Data(text.utf8), single: nil, receivedAt: now, limits: limits)
        let event = try #require(request.accepted.first)
        #expect(event.json.utf8.count <= 250)
        #expect(event.payload["properties"] == .object(["a": .number(1)]))
        guard
            case .parsed(_, let outcomes) = TreeValidationOracle.parse(
                body: Data(text.utf8),
                single: nil,
                receivedAt: now,
                limits: limits
            ),
            case .accepted? = outcomes.first
        else {
            Issue.record("the tree validation did not accept it either")
            return
        }
    }
}
