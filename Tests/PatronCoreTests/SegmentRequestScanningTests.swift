import Foundation
import PatronCore
import PatronNumerics
import Testing

/// The tracking API scans request bodies instead of building a tree. These tests hold the scan to
/// the tree parser: the same bodies are valid JSON, and every accepted event's stored JSON is, as a
/// value, the event with the batch's `context`/`integrations` merged in and the server fields set.
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

    /// The stored value an accepted event must have, from the tree of the whole body.
    static func expected(_ event: AcceptedEvent, item: JSONValue, batch: [String: JSONValue]) -> JSONValue {
        guard case .object(var object) = item else { return item }
        for key in ["context", "integrations"] {
            guard let shared = batch[key]?.objectValue else { continue }
            var own = object[key]?.objectValue ?? [:]
            for (name, value) in shared where own[name] == nil { own[name] = value }
            object[key] = .object(own)
        }
        object["type"] = .string(event.type.rawValue)
        object["messageId"] = .string(event.messageId)
        object["receivedAt"] = .string(SegmentTimestamp.format(event.receivedAt))
        object["timestamp"] = .string(SegmentTimestamp.format(event.timestamp))
        if let original = object["originalTimestamp"], original != .null {
        } else if case .string(let text)? = item["timestamp"], let date = SegmentTimestamp.parse(text) {
            object["originalTimestamp"] = .string(SegmentTimestamp.format(date))
        }
        return .object(object)
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func acceptedEventsStoreTheEventWithBatchContextAndServerFields(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        var accepted = 0
        for _ in 0..<300 {
            let text = Self.body(&random)
            let tree = try JSONValue.parse(Data(text.utf8))
            let request = try SegmentRequest.parse(body: Data(text.utf8), single: nil, receivedAt: now)
            guard case .object(let batch) = tree, case .array(let items)? = batch["batch"] else {
                Issue.record("the generator made no batch")
                return
            }
            #expect(request.accepted.count + request.rejected.count == items.count)
            // Items with a messageId are found by it (each is unique in a body).
            for event in request.accepted where !event.messageId.hasPrefix("generated-") {
                let item = try #require(items.first { $0["messageId"] == .string(event.messageId) })
                let stored = try JSONValue.parse(Data(event.json.utf8))
                #expect(stored == Self.expected(event, item: item, batch: batch), "\(text)\n→ \(event.json)")
                #expect(!event.json.contains("\n"), "compact")
                accepted += 1
            }
        }
        #expect(accepted > 200, "the generator made mostly valid events (\(accepted))")
    }

    /// Random edits of valid bodies: a body the tree parser rejects is rejected as invalid JSON, and
    /// one it accepts is never called invalid JSON.
    @Test(arguments: [11, 12, 13] as [UInt64])
    func theScanAcceptsExactlyTheJSONTheParserAccepts(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let edits: [UInt8] = Array(#"{}[]",:\ "0123456789.eE-+tfnul"#.utf8) + [0x00, 0x0A, 0x80, 0xC3, 0xFF]
        var invalid = 0
        for _ in 0..<2000 {
            var bytes = Array(Self.body(&random).utf8)
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
            let body = Data(bytes)
            let parsedByTree = (try? JSONValue.parse(body)) != nil
            var calledInvalid = false
            do {
                _ = try SegmentRequest.parse(body: body, single: nil, receivedAt: now)
            } catch {
                calledInvalid = error.message.hasPrefix("the body is not valid JSON")
            }
            #expect(calledInvalid == !parsedByTree, "\(String(decoding: bytes, as: UTF8.self))")
            if !parsedByTree { invalid += 1 }
        }
        #expect(invalid > 500, "the edits broke many bodies (\(invalid))")
    }
}
