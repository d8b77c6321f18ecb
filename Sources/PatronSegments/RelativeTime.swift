/// An instant relative to the time a condition is evaluated: `now`, `now-30d`, `now+1h`.
public struct RelativeTime: Sendable, Hashable, CustomStringConvertible {
    /// How far from now; `nil` for now itself.
    public var offset: SegmentDuration?
    /// Whether the instant is before now (`now-…`) rather than after it (`now+…`).
    public var isBeforeNow: Bool

    /// Creates a relative time.
    public init(offset: SegmentDuration?, isBeforeNow: Bool = true) {
        self.offset = offset
        self.isBeforeNow = isBeforeNow
    }

    /// Parses `now`, `now-<duration>` or `now+<duration>`; `nil` for anything else.
    public init?(_ text: String) {
        guard text.hasPrefix("now") else { return nil }
        let rest = text.dropFirst(3)
        guard let sign = rest.first else {
            self.init(offset: nil)
            return
        }
        guard sign == "-" || sign == "+", let offset = SegmentDuration(String(rest.dropFirst())) else { return nil }
        self.init(offset: offset, isBeforeNow: sign == "-")
    }

    /// The instant in milliseconds since 1970, given now in milliseconds since 1970.
    public func milliseconds(now: Int64) -> Int64 {
        let offset = offset?.milliseconds ?? 0
        return isBeforeNow ? now - offset : now + offset
    }

    /// The text form, `now-30d`.
    public var description: String {
        guard let offset else { return "now" }
        return "now\(isBeforeNow ? "-" : "+")\(offset)"
    }
}
