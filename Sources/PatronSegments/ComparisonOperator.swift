/// How a trait or score is compared with the values of a condition.
public enum ComparisonOperator: String, Sendable, Hashable, CaseIterable {
    /// Equal (same kind and value).
    case eq
    /// Present (not null) and not equal.
    case ne
    /// Less than (strings byte by byte, numbers, times).
    case lt
    /// Less than or equal.
    case le
    /// Greater than.
    case gt
    /// Greater than or equal.
    case ge
    /// Equal to one of a list of values.
    case `in`
    /// A string that contains the value.
    case contains
    /// Present and not null (takes no value).
    case exists
    /// A string that starts with the value.
    case startsWith
    /// A string that a regular expression (ICU syntax, unanchored) matches.
    case regex
    /// Between two values, both included.
    case between

    /// The operators that compare a count of events.
    static let countOperators: [ComparisonOperator] = [.eq, .ne, .lt, .le, .gt, .ge]

    /// The operators, for error messages: "eq, ne, lt, …".
    static func list(_ operators: [ComparisonOperator] = allCases) -> String {
        operators.map(\.rawValue).joined(separator: ", ")
    }

    /// Whether an ordering (negative, zero, positive) satisfies an ordering operator.
    func accepts(ordering: Int) -> Bool {
        switch self {
        case .eq: ordering == 0
        case .ne: ordering != 0
        case .lt: ordering < 0
        case .le: ordering <= 0
        case .gt: ordering > 0
        case .ge: ordering >= 0
        default: false
        }
    }

    /// The SQL operator of an ordering operator.
    var sqlOperator: String {
        switch self {
        case .eq: "="
        case .ne: "<>"
        case .lt: "<"
        case .le: "<="
        case .gt: ">"
        default: ">="
        }
    }
}
