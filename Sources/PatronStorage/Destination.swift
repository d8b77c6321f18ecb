public import Foundation

/// Where webhooks go: one per channel tool (email service, push service, ad audience).
public struct Destination: Sendable, Hashable, Codable {
    /// The id.
    public var id: Int64
    /// A unique name (`email-tool`).
    public var name: String
    /// The endpoint that receives `POST`s.
    public var url: String
    /// `whsec_` signing secrets, oldest first; the newest two sign every message (rotation).
    public var secrets: [String]
    /// Extra HTTP headers sent with every delivery.
    public var headers: [String: String]
    /// When it was created.
    public var createdAt: Date
    /// When it was disabled (an endpoint that answered 410 Gone, or by hand), if it is.
    public var disabledAt: Date?
    /// Why it was disabled.
    public var disabledReason: String?
    /// What it contacts customers for (`email`, `push`, `advertising`); `nil`: no consent check.
    public var purpose: String?
    /// Whom it may contact for its purpose.
    public var consentPolicy: ConsentPolicy
    /// At most this many sends per customer per ``capPeriod``, if capped.
    public var frequencyCap: FrequencyCap?

    /// The secrets that sign: the newest two.
    public var signingSecrets: [String] { Array(secrets.suffix(2)) }

    /// Creates a destination value.
    public init(
        id: Int64,
        name: String,
        url: String,
        secrets: [String],
        headers: [String: String],
        createdAt: Date,
        disabledAt: Date? = nil,
        disabledReason: String? = nil,
        purpose: String? = nil,
        consentPolicy: ConsentPolicy = .optIn,
        frequencyCap: FrequencyCap? = nil
    ) {
        self.id = id
        self.name = name
        self.url = url
        self.secrets = secrets
        self.headers = headers
        self.createdAt = createdAt
        self.disabledAt = disabledAt
        self.disabledReason = disabledReason
        self.purpose = purpose
        self.consentPolicy = consentPolicy
        self.frequencyCap = frequencyCap
    }
}

/// Whom a destination may contact for its purpose.
public enum ConsentPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Only customers who granted the purpose (the rule for marketing email under GDPR).
    case optIn = "opt-in"
    /// Everyone but customers who revoked the purpose (or everything).
    case optOut = "opt-out"
}

/// At most `count` sends per customer per period, the period in the customer's time zone (their
/// `timezone` trait, an IANA name) or UTC.
public struct FrequencyCap: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The calendar period.
    public enum Period: String, Sendable, Hashable, Codable, CaseIterable {
        /// A calendar day.
        case day
        /// A calendar week (ISO: from Monday).
        case week
        /// A calendar month.
        case month
    }

    /// Sends allowed per period.
    public var count: Int
    /// The period.
    public var period: Period

    /// Creates a cap.
    public init(count: Int, period: Period) {
        self.count = count
        self.period = period
    }

    /// Parses `3/day`, `1/week`, `10/month`.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let count = Int(parts[0]), count > 0, let period = Period(rawValue: String(parts[1]))
        else { return nil }
        self.init(count: count, period: period)
    }

    /// `3/day`.
    public var description: String { "\(count)/\(period.rawValue)" }

    /// The start of the period holding `date` in `timeZone`.
    public func periodStart(of date: Date, in timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        let component: Calendar.Component =
            switch period {
            case .day: .day
            case .week: .weekOfYear
            case .month: .month
            }
        return calendar.dateInterval(of: component, for: date)?.start ?? date
    }
}

/// One webhook in the outbox, with where it stands.
public struct Delivery: Sendable, Hashable, Codable {
    /// Where it stands.
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        /// Waiting for its first or next attempt.
        case pending
        /// Acknowledged by the endpoint with a 2xx.
        case delivered
        /// Dead-lettered: the retry budget is spent or the endpoint is gone; `patron deliveries replay`.
        case dead
        /// Not sent: no consent for the destination's purpose, or the customer's frequency cap was
        /// reached (the reason is in ``Delivery/lastError``).
        case suppressed
    }

    /// The row id.
    public var id: Int64
    /// The destination.
    public var destinationId: Int64
    /// The idempotency key sent as `webhook-id` (the same on every attempt).
    public var webhookId: String
    /// What happened (`segment.entered`, `test`, …).
    public var eventType: String
    /// The customer it is about, if any.
    public var customerId: Int64?
    /// The JSON body.
    public var payload: String
    /// When it was enqueued.
    public var createdAt: Date
    /// Where it stands.
    public var status: Status
    /// Attempts so far.
    public var attempts: Int
    /// When the next attempt is due (pending only).
    public var nextAttemptAt: Date?
    /// The HTTP status of the last attempt, if one answered.
    public var lastStatusCode: Int?
    /// The error of the last attempt (connection refused, timeout, the answer's status).
    public var lastError: String?
    /// When it was acknowledged.
    public var deliveredAt: Date?
}

/// What one attempt came to, as the deliverer records it.
public enum DeliveryAttemptOutcome: Sendable, Hashable {
    /// A 2xx answer.
    case delivered(statusCode: Int)
    /// Failed; try again at `nextAttemptAt`.
    case retry(statusCode: Int?, error: String, nextAttemptAt: Date)
    /// Failed for good (budget spent); dead-lettered.
    case dead(statusCode: Int?, error: String)
    /// The endpoint answered 410 Gone: dead-lettered and the destination disabled.
    case gone
    /// Not sent: consent was revoked after the message was queued.
    case suppressed(reason: String)
}
