import ArgumentParser
import CustomerValue
import Foundation

/// A prediction horizon: a number with an optional unit suffix d, w, m (30.4375 days) or y (365.25 days);
/// a bare number is in the model's time unit.
struct Horizon: ExpressibleByArgument, CustomStringConvertible {
    var value: Double
    var unitDays: Double?
    var text: String

    init?(argument: String) {
        text = argument
        var number = argument.trimmingCharacters(in: .whitespaces)
        let suffixes: [Character: Double] = ["d": 1, "w": 7, "m": 30.4375, "y": 365.25]
        if let last = number.last, let days = suffixes[Character(last.lowercased())] {
            unitDays = days
            number.removeLast()
        }
        guard let parsed = Double(number), parsed.isFinite, parsed > 0 else { return nil }
        value = parsed
    }

    /// The horizon in `unit`.
    func length(in unit: TimeUnit) -> Double {
        guard let unitDays else { return value }
        return value * unitDays / unit.days
    }

    var description: String { text }

    static var defaultCompletionKind: CompletionKind { .default }
}
