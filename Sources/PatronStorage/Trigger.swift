public import Foundation

/// What sends a webhook to one destination: a customer entering or leaving a segment, or a `track`
/// event of a given name that passes a filter.
public struct Trigger: Sendable, Hashable, Codable {
    /// What happened.
    public enum Event: String, Sendable, Hashable, Codable, CaseIterable {
        /// The customer became a member of the segment.
        case segmentEntered = "segment.entered"
        /// The customer stopped being a member of the segment.
        case segmentExited = "segment.exited"
        /// A `track` event of the trigger's name passed its filter.
        case eventMatched = "event.matched"
        /// A new score (real-time re-score or refit) made the trigger's score condition hold; the
        /// condition is kept as segment `score:<trigger name>`, and the trigger fires on entering it.
        case scoreChanged = "score.changed"

        /// Whether the trigger names a segment (otherwise an event name).
        public var isSegmentEvent: Bool { self != .eventMatched }
    }

    /// The id.
    public var id: Int64
    /// A unique name.
    public var name: String
    /// What fires it.
    public var event: Event
    /// The segment, for `segment.entered`, `segment.exited` and `score.changed`.
    public var segment: String?
    /// The `track` event name, for `event.matched`.
    public var eventName: String?
    /// The filter of an `event.matched` trigger as JSON text (event properties and a condition on
    /// the customer), or `nil` for every event of the name.
    public var filter: String?
    /// The destination.
    public var destination: String
    /// Whether it fires.
    public var enabled: Bool
    /// When it was created.
    public var createdAt: Date

    /// Creates a trigger value.
    public init(
        id: Int64,
        name: String,
        event: Event,
        segment: String? = nil,
        eventName: String? = nil,
        filter: String? = nil,
        destination: String,
        enabled: Bool = true,
        createdAt: Date
    ) {
        self.id = id
        self.name = name
        self.event = event
        self.segment = segment
        self.eventName = eventName
        self.filter = filter
        self.destination = destination
        self.enabled = enabled
        self.createdAt = createdAt
    }

    /// What fires it, in words: `segment.entered at-risk` or `event.matched "Cart Abandoned"`.
    public var source: String {
        event.isSegmentEvent ? "\(event.rawValue) \(segment ?? "")" : "\(event.rawValue) \"\(eventName ?? "")\""
    }
}
