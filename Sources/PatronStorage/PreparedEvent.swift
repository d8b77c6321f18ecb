import PatronCore

/// A stored event with everything the customer tables need from it worked out in memory (ids,
/// traits as JSON text, order, marketing touch), so the write transaction only runs SQL.
struct PreparedEvent: Sendable {
    let id: Int64
    let source: String
    let event: SegmentEvent
    /// The event's timestamp as the store writes dates (``SQLDate``).
    let timestampText: String
    let identifiers: ExtractedIdentifiers
    let traits: [(key: String, json: String)]
    let order: OrderEvent?
    /// The campaign, referrer and channel, when the event is a marketing touch (page, screen, UTM
    /// campaign or referrer); `nil` otherwise (counted as a direct touch).
    let touch: AcquisitionTouch?

    init(_ stored: StoredEvent, rules: IdentityRules) {
        id = stored.id
        source = stored.source
        event = stored.event
        timestampText = SQLDate.text(stored.event.timestamp)
        identifiers = rules.identifiers(of: stored.event)
        traits = stored.event.traits.map { ($0.key, $0.value.jsonText) }
        order = OrderEvent(stored.event)
        let context = stored.event.payload["context"]
        let isMarketingTouch =
            stored.event.type == .page || stored.event.type == .screen || context?["campaign"]?.objectValue != nil
            || context?["page"]?["referrer"]?.stringValue != nil
        touch = isMarketingTouch ? AcquisitionTouch(event: stored.event, source: stored.source) : nil
    }
}
