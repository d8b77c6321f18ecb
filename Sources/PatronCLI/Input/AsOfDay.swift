import CustomerValue

/// The `--as-of YYYY-MM-DD` option of the store commands.
enum AsOfDay {
    /// The day number of `text`, or `nil` without one.
    /// - Throws: ``InputError`` naming the option and the value.
    static func parse(_ text: String?) throws -> Int? {
        guard let text else { return nil }
        guard let date = try DateFormat("%Y-%m-%d").parse(text) else {
            throw InputError("--as-of must be a date YYYY-MM-DD, got '\(text)'")
        }
        return date.dayNumber
    }
}
