/// A length of time in a condition: a whole number and a unit, `45s`, `30m`, `1h`, `90d` or `2w`.
public struct SegmentDuration: Sendable, Hashable, CustomStringConvertible {
    /// The unit of a duration.
    public enum Unit: Character, Sendable, Hashable, CaseIterable {
        /// Seconds (`s`).
        case seconds = "s"
        /// Minutes (`m`).
        case minutes = "m"
        /// Hours (`h`).
        case hours = "h"
        /// Days of 24 hours (`d`).
        case days = "d"
        /// Weeks of 7 days (`w`).
        case weeks = "w"

        /// The length of one unit in milliseconds.
        public var milliseconds: Int64 {
            switch self {
            case .seconds: 1000
            case .minutes: 60_000
            case .hours: 3_600_000
            case .days: 86_400_000
            case .weeks: 604_800_000
            }
        }
    }

    /// The largest amount accepted (about 2,700 years in days), so arithmetic never overflows.
    public static let maximumAmount = 1_000_000

    /// How many units.
    public var amount: Int
    /// The unit.
    public var unit: Unit

    /// Creates a duration of `amount` (0 to ``maximumAmount``) units.
    public init?(amount: Int, unit: Unit) {
        guard (0...Self.maximumAmount).contains(amount) else { return nil }
        self.amount = amount
        self.unit = unit
    }

    /// Parses `90d`, `1h`, `30m`, `45s` or `2w`; `nil` for anything else.
    public init?(_ text: String) {
        guard let last = text.last, let unit = Unit(rawValue: last), text.count > 1,
            text.dropLast().allSatisfy({ $0.isASCII && $0.isNumber }), let amount = Int(text.dropLast())
        else { return nil }
        self.init(amount: amount, unit: unit)
    }

    /// The length in milliseconds.
    public var milliseconds: Int64 { Int64(amount) * unit.milliseconds }

    /// The text form, `90d`.
    public var description: String { "\(amount)\(unit.rawValue)" }

    /// How a valid duration is written, for error messages.
    static let syntax = "use a whole number and a unit s, m, h, d or w, like 90d"
}
