/// The kind of a JSON value, as a scan finds it without building it.
enum JSONKind: Sendable, Hashable {
    case object, array, string, number, bool, null
}

/// One member of a scanned object: its key, and its value as a byte range of the scanned text.
struct ScannedMember: Sendable {
    /// The decoded key.
    var key: String
    /// The value's bytes in the scanned text (no surrounding whitespace).
    var value: Range<Int>
    /// What the value is.
    var kind: JSONKind
}

/// One element of a scanned array: its bytes, its kind, and its members when it is an object.
struct ScannedElement: Sendable {
    var value: Range<Int>
    var kind: JSONKind
    var members: [ScannedMember]?
}

/// The elements of an array scanned with the object holding it.
struct ScannedArray: Sendable {
    var elements: [ScannedElement]
    /// The array's bytes.
    var value: Range<Int>
}

/// Scanning: the parser's grammar and checks (UTF-8, escapes, numbers in range, nesting depth),
/// without building values. Ingest scans every byte it receives but keeps the bytes of nested
/// values as they came; building a ``JSONValue`` tree and writing it back cost half of a tracking
/// request's CPU.
extension JSONParser {
    /// Skips the value at the current position (after whitespace), checking it as ``parse(_:maximumDepth:)``
    /// would, and returns its kind.
    mutating func skipValue(depth: Int) throws(JSONParseError) -> JSONKind {
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            try skipContainer(depth: depth + 1, closing: UInt8(ascii: "}"), hasKeys: true)
            return .object
        case UInt8(ascii: "["):
            try skipContainer(depth: depth + 1, closing: UInt8(ascii: "]"), hasKeys: false)
            return .array
        case UInt8(ascii: "\""):
            try skipString()
            return .string
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let range = try numberRange()
            // Without an exponent, fewer than 300 digits are always a finite double.
            if range.count >= 300 || bytes[range].contains(where: { $0 | 0x20 == UInt8(ascii: "e") }) {
                _ = try numberValue(range)
            }
            return .number
        default:
            throw error("unexpected character")
        }
    }

    /// Skips an object (`hasKeys`) or an array at the current `{` or `[`.
    private mutating func skipContainer(depth: Int, closing: UInt8, hasKeys: Bool) throws(JSONParseError) {
        guard depth <= maximumDepth else { throw error("nesting deeper than \(maximumDepth) levels") }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == closing {
            index += 1
            return
        }
        while true {
            // Keys are decoded (short ones need no allocation) only to check them.
            if hasKeys { _ = try memberKey() }
            _ = try skipValue(depth: depth)
            try endOfMember(closing: closing)
            if bytes[index - 1] == closing { return }
        }
    }

    /// After a member or element: consumes `,` or the closing bracket.
    private mutating func endOfMember(closing: UInt8) throws(JSONParseError) {
        skipWhitespace()
        guard index < bytes.count else {
            throw error(
                closing == UInt8(ascii: "}")
                    ? "unexpected end of input in an object" : "unexpected end of input in an array"
            )
        }
        if bytes[index] == UInt8(ascii: ",") || bytes[index] == closing {
            index += 1
        } else {
            throw error(closing == UInt8(ascii: "}") ? "expected ',' or '}'" : "expected ',' or ']'")
        }
    }

    /// Skips the string at the current `"`, with the checks of ``string()``.
    mutating func skipString() throws(JSONParseError) {
        index += 1
        // Each run between escapes is checked for UTF-8 where ``string()`` checks it.
        var runStart = index
        var isASCII = true
        func checkRun(_ end: Int) throws(JSONParseError) {
            guard !isASCII else { return }
            if String(validating: UnsafeBufferPointer(rebasing: bytes[runStart..<end]), as: UTF8.self) == nil {
                throw JSONParseError(offset: runStart, message: "invalid UTF-8 in a string")
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 0x20, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
                if byte >= 0x80 { isASCII = false }
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                try checkRun(index)
                index += 1
                return
            case UInt8(ascii: "\\"):
                try checkRun(index)
                _ = try escape()
                runStart = index
                isASCII = true
            default:
                throw error("unescaped control character in a string")
            }
        }
        try checkRun(index)
        throw error("unterminated string")
    }

    /// Scans the object at the current `{` (at nesting `depth`, counted like ``skipValue(depth:)``
    /// counts it): its members, a repeated key keeping its last value as in a parsed object.
    mutating func scanObject(depth: Int) throws(JSONParseError) -> [ScannedMember] {
        var unused: ScannedArray?
        return try scanObject(depth: depth, expanding: nil, into: &unused)
    }

    /// ``scanObject(depth:)``, also scanning the elements of the array under key `expanded` (the
    /// batch of a request body: one pass over its bytes) into `elements`.
    mutating func scanObject(
        depth: Int,
        expanding expanded: String?,
        into elements: inout ScannedArray?
    ) throws(JSONParseError) -> [ScannedMember] {
        guard depth <= maximumDepth else { throw error("nesting deeper than \(maximumDepth) levels") }
        index += 1
        var members: [ScannedMember] = []
        members.reserveCapacity(12)
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return members
        }
        while true {
            let key = try memberKey()
            skipWhitespace()
            let start = index
            let kind: JSONKind
            if key == expanded, index < bytes.count, bytes[index] == UInt8(ascii: "[") {
                elements = ScannedArray(elements: try scanArray(depth: depth + 1), value: start..<index)
                kind = .array
            } else {
                kind = try skipValue(depth: depth)
            }
            let member = ScannedMember(key: key, value: start..<index, kind: kind)
            if let earlier = members.firstIndex(where: { $0.key == key }) {
                members[earlier] = member
            } else {
                members.append(member)
            }
            try endOfMember(closing: UInt8(ascii: "}"))
            if bytes[index - 1] == UInt8(ascii: "}") { return members }
        }
    }

    /// Scans the array at the current `[` (at nesting `depth`): each element's bytes and kind, and the
    /// members of each element that is an object.
    mutating func scanArray(depth: Int) throws(JSONParseError) -> [ScannedElement] {
        guard depth <= maximumDepth else { throw error("nesting deeper than \(maximumDepth) levels") }
        index += 1
        var elements: [ScannedElement] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return elements
        }
        while true {
            skipWhitespace()
            let start = index
            if index < bytes.count, bytes[index] == UInt8(ascii: "{") {
                let members = try scanObject(depth: depth + 1)
                elements.append(ScannedElement(value: start..<index, kind: .object, members: members))
            } else {
                let kind = try skipValue(depth: depth)
                elements.append(ScannedElement(value: start..<index, kind: kind, members: nil))
            }
            try endOfMember(closing: UInt8(ascii: "]"))
            if bytes[index - 1] == UInt8(ascii: "]") { return elements }
        }
    }
}
