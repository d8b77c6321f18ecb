import Foundation

/// The safeguards of the identity graph: which values may link people, and how many ids one event
/// may bring.
public struct IdentityRules: Sendable, Hashable {
    /// Values that never identify a person (compared case-insensitively, after trimming): what
    /// broken clients and forms send in place of an id.
    public static let blockedValues: Set<String> = [
        "", "null", "nil", "none", "undefined", "anonymous", "anon", "guest", "unknown", "user", "test",
        "0", "-1", "1", "nan", "n/a", "na", "false", "true", "[object object]", "{}", "[]", "(null)", "<null>",
        "default", "email", "noemail@example.com", "test@test.com", "no@email.com",
        "00000000-0000-0000-0000-000000000000",
    ]

    /// The most ids one event may link; further ids are ignored and recorded in the audit.
    public var maximumIdentifiersPerEvent: Int

    /// Creates the rules (default: at most 10 ids per event).
    public init(maximumIdentifiersPerEvent: Int = 10) {
        self.maximumIdentifiersPerEvent = maximumIdentifiersPerEvent
    }

    /// Whether `value` is a placeholder that must never link two people.
    public static func isBlocked(_ value: String) -> Bool {
        // Trimming goes through Foundation; a value with a printable ASCII character at both ends
        // (nearly all) has nothing to trim.
        if let first = value.utf8.first, let last = value.utf8.last, (0x21..<0x80).contains(first),
            (0x21..<0x80).contains(last)
        {
            return blockedValues.contains(value.lowercased())
        }
        return blockedValues.contains(value.trimmingCharacters(in: .whitespacesAndNewlines).lowercased())
    }

    /// The ids an event carries, in priority order (userId, alias previousId, anonymousId, email,
    /// external ids), split into the ones to use, the blocked ones and the ones over the cap.
    public func identifiers(of event: SegmentEvent) -> ExtractedIdentifiers {
        var candidates: [Identifier] = []
        if let userId = event.userId { candidates.append(.userId(userId)) }
        if event.type == .alias, let previous = Self.string(event.payload["previousId"]) {
            candidates.append(.anonymousId(previous))
        }
        if let anonymousId = event.anonymousId { candidates.append(.anonymousId(anonymousId)) }
        if let email = event.traits["email"]?.stringValue {
            candidates.append(
                Identifier(kind: Identifier.emailKind, value: email.trimmingCharacters(in: .whitespaces).lowercased())
            )
        }
        for external in event.payload["context"]?["externalIds"]?.arrayValue ?? [] {
            guard let id = Self.string(external["id"]), let type = external["type"]?.stringValue, !type.isEmpty else {
                continue
            }
            candidates.append(Identifier(kind: "external:\(type)", value: id))
        }
        var result = ExtractedIdentifiers()
        var seen: Set<Identifier> = []
        for candidate in candidates where seen.insert(candidate).inserted {
            if Self.isBlocked(candidate.value) {
                result.blocked.append(candidate)
            } else if result.usable.count >= maximumIdentifiersPerEvent {
                result.overCap.append(candidate)
            } else {
                result.usable.append(candidate)
            }
        }
        return result
    }

    private static func string(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?: return text
        case .number(let number)? where number == number.rounded() && abs(number) < 1e15: return String(Int64(number))
        default: return nil
        }
    }
}

/// The ids of one event, sorted by what may be done with them.
public struct ExtractedIdentifiers: Sendable, Hashable {
    /// Ids that link the event to a customer.
    public var usable: [Identifier] = []
    /// Placeholder values (`null`, `guest`, …) that are ignored.
    public var blocked: [Identifier] = []
    /// Ids beyond the per-event cap, ignored.
    public var overCap: [Identifier] = []
}
