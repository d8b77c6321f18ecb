import Foundation
import PatronCore

/// A JSON value whose objects keep their key order, so reports read in a sensible order.
enum OrderedJSON {
    case null
    case bool(Bool)
    case number(Double)
    case integer(Int)
    case string(String)
    case array([OrderedJSON])
    case object([(String, OrderedJSON)])

    /// A finite number, or null (JSON has no NaN or infinity).
    static func finite(_ value: Double?) -> OrderedJSON {
        guard let value, value.isFinite else { return .null }
        return .number(value)
    }

    func rendered(indent: Int = 0, pretty: Bool = true) -> String {
        let padding = pretty ? String(repeating: "  ", count: indent + 1) : ""
        let closing = pretty ? String(repeating: "  ", count: indent) : ""
        let newline = pretty ? "\n" : ""
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .integer(let value): return String(value)
        case .number(let value):
            if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
            return "\(value)"
        case .string(let value): return Self.quoted(value)
        case .array(let values):
            if values.isEmpty { return "[]" }
            let items = values.map { padding + $0.rendered(indent: indent + 1, pretty: pretty) }
            return "[" + newline + items.joined(separator: "," + newline) + newline + closing + "]"
        case .object(let pairs):
            if pairs.isEmpty { return "{}" }
            let separator = pretty ? ": " : ":"
            let items = pairs.map {
                padding + Self.quoted($0.0) + separator + $0.1.rendered(indent: indent + 1, pretty: pretty)
            }
            return "{" + newline + items.joined(separator: "," + newline) + newline + closing + "}"
        }
    }

    static func quoted(_ text: String) -> String { JSONValue.quoted(text) }
}
