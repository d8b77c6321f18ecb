public import PatronCore

/// Settings of `patron serve`.
public struct ServerConfiguration: Sendable {
    /// The address to listen on.
    public var host: String
    /// The port (0 picks a free one).
    public var port: Int
    /// Limits of the tracking API.
    public var limits: IngestLimits

    /// Creates a configuration; the defaults listen on 127.0.0.1:8080 with Segment's limits.
    public init(host: String = "127.0.0.1", port: Int = 8080, limits: IngestLimits = IngestLimits()) {
        self.host = host
        self.port = port
        self.limits = limits
    }
}
