import CustomerValue

/// A date pattern with `%Y`, `%m`, `%d` (and literal separators), e.g. `%Y-%m-%d`, `%Y%m%d`, `%d/%m/%Y`.
/// Anything after the date (a time of day, `T…Z`) is ignored, so ISO 8601 timestamps parse as their day.
struct DateFormat {
    let pattern: String

    init(_ pattern: String) throws(InputError) {
        guard pattern.contains("%Y"), pattern.contains("%m"), pattern.contains("%d") else {
            throw InputError("date format '\(pattern)' must contain %Y, %m and %d")
        }
        self.pattern = pattern
    }

    func parse(_ text: String) -> CalendarDate? {
        var year = 0
        var month = 0
        var day = 0
        var characters = Array(text.utf8)[...]
        var patternCharacters = Array(pattern.utf8)[...]
        func digits(_ count: ClosedRange<Int>) -> Int? {
            var value = 0
            var taken = 0
            while taken < count.upperBound, let next = characters.first, next >= 48, next <= 57 {
                value = value * 10 + Int(next - 48)
                characters = characters.dropFirst()
                taken += 1
            }
            return taken >= count.lowerBound ? value : nil
        }
        while let symbol = patternCharacters.first {
            patternCharacters = patternCharacters.dropFirst()
            if symbol == UInt8(ascii: "%"), let kind = patternCharacters.first {
                patternCharacters = patternCharacters.dropFirst()
                switch kind {
                case UInt8(ascii: "Y"):
                    guard let value = digits(4...4) else { return nil }
                    year = value
                case UInt8(ascii: "m"):
                    guard let value = digits(1...2) else { return nil }
                    month = value
                case UInt8(ascii: "d"):
                    guard let value = digits(1...2) else { return nil }
                    day = value
                default: return nil
                }
            } else {
                guard characters.first == symbol else { return nil }
                characters = characters.dropFirst()
            }
        }
        if let next = characters.first, next != UInt8(ascii: "T"), next != UInt8(ascii: " ") { return nil }
        return CalendarDate(year: year, month: month, day: day)
    }
}
