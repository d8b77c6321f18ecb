public import PatronCore
public import PatronDelivery

/// Settings of `patron serve`.
public struct ServerConfiguration: Sendable {
    /// The address to listen on.
    public var host: String
    /// The port (0 picks a free one).
    public var port: Int
    /// Limits of the tracking API.
    public var limits: IngestLimits
    /// How often the value models are refitted and every customer re-scored; `nil` = never.
    public var refitInterval: Duration?
    /// How often segments are refreshed for what time changed (``SegmentRefreshService``); `nil` =
    /// never (no scheduled refresh at all).
    public var segmentRefreshInterval: Duration?
    /// How often, after the one at start, a refresh re-evaluates every segment over every
    /// customer; `nil` = at start only.
    public var segmentFullRefreshInterval: Duration?
    /// When failed webhooks are retried.
    public var webhookRetrySchedule: RetrySchedule
    /// The longest wait for a webhook endpoint's answer.
    public var webhookTimeout: Duration

    /// Creates a configuration; the defaults listen on 127.0.0.1:8080 with Segment's limits and no
    /// scheduled refit.
    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        limits: IngestLimits = IngestLimits(),
        refitInterval: Duration? = nil,
        segmentRefreshInterval: Duration? = .seconds(60),
        segmentFullRefreshInterval: Duration? = .seconds(3600),
        webhookRetrySchedule: RetrySchedule = .standard,
        webhookTimeout: Duration = .seconds(10)
    ) {
        self.host = host
        self.port = port
        self.limits = limits
        self.refitInterval = refitInterval
        self.segmentRefreshInterval = segmentRefreshInterval
        self.segmentFullRefreshInterval = segmentFullRefreshInterval
        self.webhookRetrySchedule = webhookRetrySchedule
        self.webhookTimeout = webhookTimeout
    }
}
