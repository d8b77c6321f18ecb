import Foundation

/// Durations as users type them: a positive number with a unit, `90s`, `30m`, `24h` or `7d`.
enum DurationText {
    static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let unit = trimmed.last, let value = Double(trimmed.dropLast()), value > 0, value.isFinite else {
            return nil
        }
        let seconds: Double
        switch unit {
        case "s": seconds = value
        case "m": seconds = value * 60
        case "h": seconds = value * 3600
        case "d": seconds = value * 86_400
        default: return nil
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
