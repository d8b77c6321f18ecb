import CustomerValue
public import Foundation

/// ISO 8601 date-times as Segment clients send them: `Z` or a `±hh:mm` offset, with 0 to 9
/// fractional digits (`2024-05-01T12:00:00.123Z`, `2024-05-01T12:00:00.123456+00:00`).
public enum SegmentTimestamp {
    /// Parses a timestamp, or returns `nil` if it is not a valid ISO 8601 date-time.
    public static func parse(_ text: String) -> Date? {
        guard text.utf8.count >= 20 else { return nil }
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 else { return nil }
                value = value * 10 + Int(bytes[index] - 48)
            }
            return value
        }
        guard let year = number(0..<4), bytes[4] == UInt8(ascii: "-"), let month = number(5..<7),
            bytes[7] == UInt8(ascii: "-"), let day = number(8..<10),
            bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "),
            let hour = number(11..<13), bytes[13] == UInt8(ascii: ":"), let minute = number(14..<16),
            bytes[16] == UInt8(ascii: ":"), let second = number(17..<19)
        else { return nil }
        guard let date = CalendarDate(year: year, month: month, day: day), hour < 24, minute < 60, second < 61 else {
            return nil
        }
        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start, index - start <= 9 else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offsetSeconds = 0
        if bytes[index] == UInt8(ascii: "Z") || bytes[index] == UInt8(ascii: "z") {
            index += 1
        } else if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            guard let hours = number((index + 1)..<(index + 3)), index + 3 < bytes.count,
                bytes[index + 3] == UInt8(ascii: ":"), let minutes = number((index + 4)..<(index + 6)), hours < 24,
                minutes < 60
            else { return nil }
            offsetSeconds = sign * (hours * 3600 + minutes * 60)
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let seconds = Double(date.dayNumber * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds) + fraction
        return Date(timeIntervalSince1970: seconds)
    }

    /// Formats a date as `yyyy-MM-ddTHH:mm:ss.SSSZ` in UTC.
    public static func format(_ date: Date) -> String {
        format(date, dateTimeSeparator: UInt8(ascii: "T"), zone: true)
    }

    /// Formats a date as `yyyy-MM-dd<separator>HH:mm:ss.SSS` in UTC, followed by `Z` when `zone`
    /// (digits written straight into a 24-byte buffer: this runs for every stored event).
    public static func format(_ date: Date, dateTimeSeparator: UInt8, zone: Bool) -> String {
        format(milliseconds: milliseconds(date), dateTimeSeparator: dateTimeSeparator, zone: zone)
    }

    /// A date in whole milliseconds since 1970, truncated as the formatted text truncates it.
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// Formats a time given in ``milliseconds(_:)`` exactly as ``format(_:dateTimeSeparator:zone:)``
    /// formats the date.
    public static func format(milliseconds: Int64, dateTimeSeparator: UInt8, zone: Bool) -> String {
        let days = Int(floorDivide(milliseconds, 86_400_000))
        let remainder = Int(milliseconds - Int64(days) * 86_400_000)
        let (year, month, day) = CalendarDate(dayNumber: days).components
        let length = zone ? 24 : 23
        return String(unsafeUninitializedCapacity: length) { buffer in
            func put(_ value: Int, at offset: Int, width: Int) {
                var value = max(0, value)
                for position in stride(from: offset + width - 1, through: offset, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
            }
            put(year, at: 0, width: 4)
            buffer[4] = UInt8(ascii: "-")
            put(month, at: 5, width: 2)
            buffer[7] = UInt8(ascii: "-")
            put(day, at: 8, width: 2)
            buffer[10] = dateTimeSeparator
            put(remainder / 3_600_000, at: 11, width: 2)
            buffer[13] = UInt8(ascii: ":")
            put(remainder / 60_000 % 60, at: 14, width: 2)
            buffer[16] = UInt8(ascii: ":")
            put(remainder / 1000 % 60, at: 17, width: 2)
            buffer[19] = UInt8(ascii: ".")
            put(remainder % 1000, at: 20, width: 3)
            if zone { buffer[23] = UInt8(ascii: "Z") }
            return length
        }
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
}
