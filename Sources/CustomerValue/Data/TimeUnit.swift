/// The unit in which a model measures time. Every rate, horizon and CLV figure states it.
public enum TimeUnit: String, Sendable, Codable, CaseIterable {
    /// Calendar days.
    case days
    /// Weeks of seven days.
    case weeks

    /// The length of one unit in days.
    public var days: Double {
        switch self {
        case .days: 1
        case .weeks: 7
        }
    }

    /// The average Gregorian month (365.25 / 12 = 30.4375 days) in this unit; used to turn a
    /// monthly discount rate into this unit.
    public var unitsPerMonth: Double { 30.4375 / days }

    /// The singular noun, for reports ("week").
    public var singular: String {
        switch self {
        case .days: "day"
        case .weeks: "week"
        }
    }
}
