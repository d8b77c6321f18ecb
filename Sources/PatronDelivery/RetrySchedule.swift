public import Foundation

/// When a failed webhook is tried again: exponential backoff with full jitter of ±20 % around the
/// nominal delays, a `Retry-After` answer taking precedence (capped at the longest nominal delay),
/// and a budget: after the last delay the delivery is dead-lettered.
///
/// The default delays after attempt 1, 2, … are 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h,
/// 8 h and 12 h: 11 attempts over about 28 hours.
public struct RetrySchedule: Sendable {
    /// Nominal delays after each failed attempt, in seconds.
    public var delays: [Double]
    /// Relative jitter (0.2 = ±20 %).
    public var jitter: Double

    /// The schedule documented above.
    public static let standard = RetrySchedule(
        delays: [5, 30, 120, 600, 1_800, 3_600, 7_200, 14_400, 28_800, 43_200],
        jitter: 0.2
    )

    /// Creates a schedule.
    public init(delays: [Double], jitter: Double = 0.2) {
        self.delays = delays
        self.jitter = jitter
    }

    /// The delay after failed attempt number `attempt` (1-based), or `nil` when the budget is spent.
    /// `retryAfter` (seconds the endpoint asked for) replaces the nominal delay.
    public func delay(
        afterAttempt attempt: Int,
        retryAfter: Double? = nil,
        using generator: inout some RandomNumberGenerator
    ) -> Double? {
        guard attempt >= 1, attempt <= delays.count else { return nil }
        if let retryAfter, retryAfter >= 0 { return min(retryAfter, delays.max() ?? retryAfter) }
        let nominal = delays[attempt - 1]
        return nominal * Double.random(in: (1 - jitter)...(1 + jitter), using: &generator)
    }

    /// The seconds of a `Retry-After` header: delta-seconds or an HTTP date; `nil` when absent or
    /// unreadable.
    public static func retryAfterSeconds(_ header: String?, now: Date) -> Double? {
        guard let header = header?.trimmingCharacters(in: .whitespaces), !header.isEmpty else { return nil }
        if let seconds = Double(header), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: header).map { max(0, $0.timeIntervalSince(now)) }
    }
}
