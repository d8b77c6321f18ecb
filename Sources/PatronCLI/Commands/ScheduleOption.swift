import ArgumentParser
import Foundation

/// An option of `serve` that sets how often a scheduled job runs: a duration (`30s`, `1m`, `1h`)
/// or `never`, from the flag, else its environment variable, else a default.
struct ScheduleOption {
    /// The flag, for messages (`--segment-refresh-every`).
    let flag: String
    /// The environment variable read when the flag is absent.
    let environment: String
    /// The value when neither is given.
    let fallback: String

    static let segmentRefresh = ScheduleOption(
        flag: "--segment-refresh-every",
        environment: "PATRON_SEGMENT_REFRESH_EVERY",
        fallback: "1m"
    )
    static let segmentFullRefresh = ScheduleOption(
        flag: "--segment-full-refresh-every",
        environment: "PATRON_SEGMENT_FULL_REFRESH_EVERY",
        fallback: "1h"
    )

    /// The interval given by `value` (the flag's), the environment or the default; `nil` for `never`.
    /// - Throws: `ValidationError` naming the flag when the text is not a positive duration.
    func interval(_ value: String?) throws -> Duration? {
        let text = value ?? ProcessInfo.processInfo.environment[environment] ?? fallback
        if text == "never" { return nil }
        guard let interval = DurationText.parse(text) else {
            throw ValidationError("\(flag) must be a positive duration like 30s, 1m or 1h, or never, got '\(text)'")
        }
        return interval
    }
}
