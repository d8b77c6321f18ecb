import PatronCore

/// A value a trait or score is compared with: a string, a number, a boolean, or a time relative
/// to evaluation (`now-30d`), which compares with trait strings that hold a date or date-time.
public enum SegmentValue: Sendable, Hashable {
    /// A string, compared byte by byte (UTF-8).
    case string(String)
    /// A number.
    case number(Double)
    /// A boolean (compared with `eq`, `ne` and `in` only).
    case bool(Bool)
    /// A time relative to evaluation; a JSON string of the form `now`, `now-30d` or `now+1h`.
    case relativeTime(RelativeTime)

    /// The kinds of value, for checking which operators and fields a value suits.
    enum Kind: String {
        case string
        case number
        case bool
        case time
    }

    var kind: Kind {
        switch self {
        case .string: .string
        case .number: .number
        case .bool: .bool
        case .relativeTime: .time
        }
    }

    /// The value from JSON: strings of the form `now±<duration>` are relative times.
    init?(json: JSONValue) {
        switch json {
        case .string(let text): self = RelativeTime(text).map(SegmentValue.relativeTime) ?? .string(text)
        case .number(let number): self = .number(number)
        case .bool(let flag): self = .bool(flag)
        default: return nil
        }
    }

    /// The JSON form.
    var json: JSONValue {
        switch self {
        case .string(let text): .string(text)
        case .number(let number): .number(number)
        case .bool(let flag): .bool(flag)
        case .relativeTime(let time): .string(time.description)
        }
    }
}
