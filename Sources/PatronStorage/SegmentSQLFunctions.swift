import CustomerValue
import Foundation
package import GRDB
import Synchronization

/// The SQL functions segment conditions compile to, registered on every connection of the store.
/// The in-memory evaluator calls the same Swift code, so both engines read times and match
/// patterns identically:
/// - `patron_time_ms(text)`: milliseconds since 1970 of a date (`2024-05-01`) or date-time
///   (`2024-05-01T12:00:00.123Z`, `2024-05-01 12:00:00.123`, `±hh:mm` offsets), or `NULL`.
/// - `patron_regexp(text, pattern)`: 1 when the ICU regular expression `pattern` matches part of
///   `text`, else 0 (also for an invalid pattern).
package enum SegmentSQLFunctions {
    /// Adds the functions to a connection.
    package static func register(in db: Database) {
        db.add(
            function: DatabaseFunction("patron_time_ms", argumentCount: 1, pure: true) { values in
                String.fromDatabaseValue(values[0]).flatMap(milliseconds(ofTime:))
            }
        )
        db.add(
            function: DatabaseFunction("patron_regexp", argumentCount: 2, pure: true) { values in
                guard let text = String.fromDatabaseValue(values[0]),
                    let pattern = String.fromDatabaseValue(values[1])
                else { return false }
                return matches(text, pattern: pattern)
            }
        )
    }

    /// Milliseconds since 1970-01-01T00:00:00Z of `text`: `yyyy-MM-dd`, optionally followed by `T`
    /// or a space and `HH:mm:ss`, 1 to 9 fractional digits (truncated to milliseconds) and `Z` or a
    /// `±hh:mm` offset (none means UTC); `nil` for anything else.
    package static func milliseconds(ofTime text: String) -> Int64? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ width: Int) -> Int? {
            guard index + width <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<(index + width)] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += width
            return value
        }
        func expect(_ character: Character) -> Bool {
            guard index < bytes.count, bytes[index] == character.asciiValue else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
            let date = CalendarDate(year: year, month: month, day: day)
        else { return nil }
        var milliseconds = Int64(date.dayNumber) * 86_400_000
        guard index < bytes.count else { return milliseconds }
        guard expect("T") || expect(" "), let hour = number(2), hour < 24, expect(":"), let minute = number(2),
            minute < 60, expect(":"), let second = number(2), second < 60
        else { return nil }
        milliseconds += Int64(hour * 3_600_000 + minute * 60_000 + second * 1000)
        if expect(".") {
            let start = index
            var scale = 100
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                milliseconds += Int64(Int(bytes[index] - 48) * scale)
                scale /= 10
                index += 1
            }
            guard index > start, index - start <= 9 else { return nil }
        }
        if expect("Z") || expect("z") { return index == bytes.count ? milliseconds : nil }
        guard index < bytes.count else { return milliseconds }
        let sign: Int64 = expect("-") ? -1 : (expect("+") ? 1 : 0)
        guard sign != 0, let hours = number(2), hours < 24, expect(":"), let minutes = number(2), minutes < 60,
            index == bytes.count
        else { return nil }
        return milliseconds - sign * Int64(hours * 3_600_000 + minutes * 60_000)
    }

    /// The store's text for an instant (`yyyy-MM-dd HH:mm:ss.SSS`, UTC), computed from whole
    /// milliseconds so a bound compares exactly with stored timestamps.
    package static func storedText(milliseconds: Int64) -> String {
        let dayLength: Int64 = 86_400_000
        let day = milliseconds >= 0 ? milliseconds / dayLength : -((-milliseconds + dayLength - 1) / dayLength)
        let (year, month, dayOfMonth) = CalendarDate(dayNumber: Int(day)).components
        let time = Int(milliseconds - day * dayLength)
        func digits(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(digits(year, 4))-\(digits(month, 2))-\(digits(dayOfMonth, 2)) "
            + "\(digits(time / 3_600_000, 2)):\(digits(time / 60_000 % 60, 2)):\(digits(time / 1000 % 60, 2))."
            + digits(time % 1000, 3)
    }

    /// Whether `pattern` is a valid regular expression.
    package static func isValidPattern(_ pattern: String) -> Bool {
        (try? NSRegularExpression(pattern: pattern)) != nil
    }

    /// Whether the regular expression `pattern` matches part of `text` (`false` for an invalid pattern).
    package static func matches(_ text: String, pattern: String) -> Bool {
        guard let expression = compiledPatterns.withLock({ cache in cache.expression(for: pattern) }) else {
            return false
        }
        return expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// Compiled patterns, shared by every connection (a query compares each row with the same pattern).
    private static let compiledPatterns = Mutex(PatternCache())
}

/// A bounded cache of compiled regular expressions.
private struct PatternCache {
    private var expressions: [String: NSRegularExpression] = [:]

    mutating func expression(for pattern: String) -> NSRegularExpression? {
        if let expression = expressions[pattern] { return expression }
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return nil }
        if expressions.count >= 256 { expressions.removeAll() }
        expressions[pattern] = expression
        return expression
    }
}
