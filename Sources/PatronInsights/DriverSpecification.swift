/// A customer attribute whose effect on value the drivers report estimates.
public enum DriverSpecification: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The first-touch acquisition channel (categorical; customers without one are `unknown`).
    case channel
    /// The revenue of the first purchase day (numeric, on the log scale).
    case firstOrderValue
    /// A CRM or identify trait: categorical, or numeric when every value is a number and there are
    /// more than ten distinct values.
    case trait(String)

    /// The drivers used when none are named.
    public static let defaults: [DriverSpecification] = [.channel, .firstOrderValue]

    /// Parses `channel`, `first-order-value` or `trait:NAME`.
    /// - Throws: ``InsightsError`` saying what is accepted.
    public init(parsing text: String) throws(InsightsError) {
        switch text {
        case "channel": self = .channel
        case "first-order-value": self = .firstOrderValue
        default:
            guard text.hasPrefix("trait:"), text.count > 6 else {
                throw InsightsError(
                    .invalidOption,
                    "unknown driver \(text); use channel, first-order-value or trait:NAME (e.g. trait:region)"
                )
            }
            self = .trait(String(text.dropFirst(6)))
        }
    }

    /// The name as typed.
    public var description: String {
        switch self {
        case .channel: "channel"
        case .firstOrderValue: "first-order-value"
        case .trait(let key): "trait:\(key)"
        }
    }
}
