import CustomerValue

/// A date pattern with `%Y`, `%m`, `%d` (and literal separators), e.g. `%Y-%m-%d`, `%Y%m%d`, `%d/%m/%Y`.
/// Anything after the date (a time of day, `T…Z`) is ignored, so ISO 8601 timestamps parse as their day.
struct DateFormat {
    let pattern: String
    private let patternBytes: [UInt8]

    init(_ pattern: String) throws(InputError) {
        guard pattern.contains("%Y"), pattern.contains("%m"), pattern.contains("%d") else {
            throw InputError("date format '\(pattern)' must contain %Y, %m and %d")
        }
        self.pattern = pattern
        patternBytes = Array(pattern.utf8)
    }

    func parse(_ text: String) -> CalendarDate? {
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    private func parse(bytes characters: UnsafeBufferPointer<UInt8>) -> CalendarDate? {
        var year = 0
        var month = 0
        var day = 0
        var position = 0
        func digits(_ count: ClosedRange<Int>) -> Int? {
            var value = 0
            var taken = 0
            while taken < count.upperBound, position < characters.count, characters[position] >= 48,
                characters[position] <= 57
            {
                value = value * 10 + Int(characters[position] - 48)
                position += 1
                taken += 1
            }
            return taken >= count.lowerBound ? value : nil
        }
        var patternPosition = 0
        while patternPosition < patternBytes.count {
            let symbol = patternBytes[patternPosition]
            patternPosition += 1
            if symbol == UInt8(ascii: "%"), patternPosition < patternBytes.count {
                let kind = patternBytes[patternPosition]
                patternPosition += 1
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
                guard position < characters.count, characters[position] == symbol else { return nil }
                position += 1
            }
        }
        if position < characters.count, characters[position] != UInt8(ascii: "T"),
            characters[position] != UInt8(ascii: " ")
        {
            return nil
        }
        return CalendarDate(year: year, month: month, day: day)
    }
}
