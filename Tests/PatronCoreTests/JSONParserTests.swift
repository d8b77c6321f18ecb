import Foundation
import PatronCore
import Testing

/// The strict JSON parser behind the tracking API, checked against Foundation's parser on valid
/// input and on the malformed input clients and attackers send.
struct JSONParserTests {
    func parse(_ text: String) throws(JSONParseError) -> JSONValue { try JSONValue.parse(Data(text.utf8)) }

    @Test func validDocumentsParseLikeFoundation() throws {
        let text = #"""
            {"a":[1,-2.5,3e2,0.25E-1,true,false,null],"b":{"c":"x\"y\\z\/\n\t\u00e9\ud83d\ude00"},"":"","n":-0,"big":12345678901234568}
            """#
        let value = try parse(text)
        let reference = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect(value["b"]?["c"]?.stringValue == (reference?["b"] as? [String: Any])?["c"] as? String)
        #expect(
            value["a"]
                == .array([.number(1), .number(-2.5), .number(300), .number(0.025), .bool(true), .bool(false), .null])
        )
        #expect(value["big"] == .number(12_345_678_901_234_568))
        #expect(try parse(value.jsonText) == value, "what is written parses back to the same value")
    }

    @Test func keysAreSortedAndControlCharactersEscapedWhenWritten() throws {
        let value = JSONValue.object(["b": .string("tab\there\u{01}"), "a": .number(1.5), "c": .number(3)])
        #expect(value.jsonText == #"{"a":1.5,"b":"tab\there\u0001","c":3}"#)
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "+1", "tru", "nul", "\"abc", "\"a\u{01}b\"", "{\"a\" 1}",
        "[1 2]", "\"\\x\"", "\"\\u12\"", "1e999", "{} {}", "[\"\\ud800\" ", "NaN",
    ])
    func malformedDocumentsAreRejectedWithAnOffset(text: String) {
        #expect(throws: JSONParseError.self) { try parse(text) }
    }

    @Test func invalidUTF8IsRejected() {
        let bytes = Data([0x22, 0x61, 0xFF, 0x62, 0x22])
        #expect(throws: JSONParseError.self) { try JSONValue.parse(bytes) }
    }

    @Test func deepNestingIsAnErrorNotACrash() throws {
        for depth in [JSONValue.maximumDepth + 1, 513, 100_000] {
            #expect(throws: JSONParseError.self) { try parse(String(repeating: "[", count: depth)) }
            #expect(throws: JSONParseError.self) {
                try parse(String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
            }
        }
        let allowed =
            String(repeating: "[", count: JSONValue.maximumDepth)
            + String(repeating: "]", count: JSONValue.maximumDepth)
        #expect(throws: Never.self) { try parse(allowed) }
    }

    @Test func loneSurrogatesBecomeTheReplacementCharacter() throws {
        #expect(try parse(#""a\ud800b""#) == .string("a\u{FFFD}b"))
        #expect(try parse(#""\udc00""#) == .string("\u{FFFD}"))
    }
}
