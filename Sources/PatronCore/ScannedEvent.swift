/// Batch-level `context` and `integrations` members (when they are objects), merged under each
/// event's own: the event's keys win.
struct SharedMembers {
    var context: [ScannedMember]?
    var integrations: [ScannedMember]?
}

/// One event of a tracking request as scanned: its members as byte ranges of the request body.
/// Strings and numbers are decoded when validation reads them; the stored JSON is written from the
/// bytes.
struct ScannedEvent {
    /// The whole request body (already checked to be valid JSON).
    let bytes: UnsafeBufferPointer<UInt8>
    /// The event's members (a repeated key holds its last value).
    var members: [ScannedMember]
    /// The event object's bytes.
    let range: Range<Int>
    /// The batch's `context` and `integrations`.
    var shared = SharedMembers()

    func member(_ key: String) -> ScannedMember? { members.first { $0.key == key } }

    func kind(of key: String) -> JSONKind? { member(key)?.kind }

    private func parser(at position: Int) -> JSONParser {
        var parser = JSONParser(bytes: bytes, maximumDepth: JSONValue.maximumDepth)
        parser.index = position
        return parser
    }

    /// The decoded string of a string member, else `nil`.
    func string(_ member: ScannedMember) -> String? {
        guard member.kind == .string else { return nil }
        var parser = parser(at: member.value.lowerBound)
        return try? parser.string()
    }

    /// The members of an object member, else `nil`. (Its bytes were checked when the body was
    /// scanned; the depth passed here only has to stay under the limit.)
    func members(_ member: ScannedMember) -> [ScannedMember]? {
        guard member.kind == .object else { return nil }
        var parser = parser(at: member.value.lowerBound)
        return try? parser.scanObject(depth: 1)
    }

    /// The keys a batch can share with its events.
    static let sharedKeys = ["context", "integrations"]

    /// The batch's members for `key` (`context` or `integrations`), when the batch has an object
    /// there: the event's own value then counts only if it is an object, and the result always is one.
    func batchMembers(for key: String) -> [ScannedMember]? {
        switch key {
        case "context": shared.context
        case "integrations": shared.integrations
        default: nil
        }
    }

    /// An id member: absent, `null` or empty is no id; a string, or an integral number below 10¹⁵
    /// (some clients send numeric ids), is the id; anything else is invalid.
    func identifier(_ key: String) -> (value: String?, isValid: Bool) {
        guard let member = member(key) else { return (nil, true) }
        switch member.kind {
        case .null: return (nil, true)
        case .string:
            let value = string(member) ?? ""
            return (value.isEmpty ? nil : value, true)
        case .number:
            guard let value = try? parser(at: member.value.lowerBound).numberValue(member.value),
                value == value.rounded(), abs(value) < 1e15
            else { return (nil, false) }
            return (String(Int64(value)), true)
        default: return (nil, false)
        }
    }

    /// The value at `range`, parsed.
    func tree(of range: Range<Int>) -> JSONValue {
        (try? JSONParser.parse(UnsafeBufferPointer(rebasing: bytes[range]), maximumDepth: JSONValue.maximumDepth))
            ?? .null
    }

    /// The event as a tree, with the batch's `context` and `integrations` merged under its own: what
    /// a rejected event is quarantined with, and what a missing messageId is derived from.
    func mergedTree() -> JSONValue {
        let value = tree(of: range)
        guard case .object(let parsed) = value else { return value }
        var object = parsed.filter { entry in members.contains { $0.key == entry.key } }
        for key in Self.sharedKeys {
            guard let shared = batchMembers(for: key) else { continue }
            var own = object[key]?.objectValue ?? [:]
            for member in shared where own[member.key] == nil { own[member.key] = tree(of: member.value) }
            object[key] = .object(own)
        }
        return .object(object)
    }

    /// What one key of the stored JSON holds.
    private enum Output {
        /// The event's own bytes.
        case raw(Range<Int>)
        /// A string the server sets.
        case text(String)
        /// An object: the event's members over the batch's.
        case merged(own: [ScannedMember], shared: [ScannedMember])
    }

    /// The JSON text to store: the event's members (batch `context`/`integrations` merged in) with
    /// `serverFields` set as strings, top-level keys sorted, compact.
    func normalizedJSON(setting serverFields: [(key: String, value: String)]) -> String {
        var entries: [(key: String, value: Output)] = []
        entries.reserveCapacity(members.count + serverFields.count + 2)
        for member in members where !serverFields.contains(where: { $0.key == member.key }) {
            entries.append((member.key, output(of: member)))
        }
        for key in Self.sharedKeys {
            if let shared = batchMembers(for: key), member(key) == nil {
                entries.append((key, .merged(own: [], shared: shared)))
            }
        }
        for field in serverFields { entries.append((field.key, .text(field.value))) }
        entries.sort { $0.key < $1.key }
        var writer = JSONWriter(capacity: range.count + 160)
        writer.append(byte: UInt8(ascii: "{"))
        for (position, entry) in entries.enumerated() {
            if position > 0 { writer.append(byte: UInt8(ascii: ",")) }
            writer.writeQuoted(entry.key)
            writer.append(byte: UInt8(ascii: ":"))
            switch entry.value {
            case .raw(let value): writer.appendCompact(UnsafeBufferPointer(rebasing: bytes[value]))
            case .text(let text): writer.writeQuoted(text)
            case .merged(let own, let shared):
                let union = (own + shared.filter { member in !own.contains { $0.key == member.key } })
                    .sorted { $0.key < $1.key }
                writer.append(byte: UInt8(ascii: "{"))
                for (index, member) in union.enumerated() {
                    if index > 0 { writer.append(byte: UInt8(ascii: ",")) }
                    writer.writeQuoted(member.key)
                    writer.append(byte: UInt8(ascii: ":"))
                    writer.appendCompact(UnsafeBufferPointer(rebasing: bytes[member.value]))
                }
                writer.append(byte: UInt8(ascii: "}"))
            }
        }
        writer.append(byte: UInt8(ascii: "}"))
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// A member's output: `context` and `integrations` merged with the batch's when it has them (an
    /// own value that is not an object gives way to the batch's), else the member's bytes.
    private func output(of member: ScannedMember) -> Output {
        guard let shared = batchMembers(for: member.key) else { return .raw(member.value) }
        return .merged(own: members(member) ?? [], shared: shared)
    }
}
