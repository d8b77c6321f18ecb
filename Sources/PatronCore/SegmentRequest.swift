public import Foundation

/// Limits of the tracking API (Segment's defaults).
public struct IngestLimits: Sendable, Hashable {
    /// Largest single event, in bytes of JSON.
    public var maximumEventBytes: Int
    /// Largest request body (after decompression), in bytes.
    public var maximumBatchBytes: Int
    /// Most events in one batch.
    public var maximumBatchEvents: Int

    /// Creates limits; the defaults are Segment's: 32 KB per event, 500 KB per batch, 2,500 events.
    public init(maximumEventBytes: Int = 32 * 1024, maximumBatchBytes: Int = 500 * 1024, maximumBatchEvents: Int = 2500)
    {
        self.maximumEventBytes = maximumEventBytes
        self.maximumBatchBytes = maximumBatchBytes
        self.maximumBatchEvents = maximumBatchEvents
    }
}

/// A request that is invalid as a whole (answered with a 4xx, nothing stored).
public struct IngestRequestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 400 or 413.
    public var status: Int
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(status: Int, _ message: String) {
        self.status = status
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

/// A parsed tracking request: the accepted events, the rejected ones, and the body's write key.
public struct SegmentRequest: Sendable {
    /// Events that passed validation.
    public var accepted: [SegmentEvent]
    /// Events that failed it (to be quarantined).
    public var rejected: [RejectedEvent]
    /// `writeKey` from the body, if present.
    public var writeKey: String?

    /// Parses the body of `POST /v1/batch` (`single == nil`) or `POST /v1/<type>`.
    /// - Throws: ``IngestRequestError`` for a body that is not JSON, not an object, has no `batch`
    ///   array, or breaks a limit.
    public static func parse(
        body: Data,
        single: SegmentEventType?,
        receivedAt: Date,
        limits: IngestLimits = IngestLimits()
    ) throws(IngestRequestError) -> SegmentRequest {
        guard body.count <= limits.maximumBatchBytes else {
            throw IngestRequestError(
                status: 413,
                "request body of \(body.count) bytes exceeds the limit of \(limits.maximumBatchBytes) bytes"
            )
        }
        let root: JSONValue
        do {
            root = try JSONValue.parse(body)
        } catch {
            throw IngestRequestError(status: 400, "the body is not valid JSON: \(error)")
        }
        guard let object = root.objectValue else {
            throw IngestRequestError(status: 400, "the body must be a JSON object")
        }
        let writeKey = object["writeKey"]?.stringValue
        var items: [(JSONValue, SegmentEventType?)]
        if let single {
            guard body.count <= limits.maximumEventBytes else {
                throw IngestRequestError(
                    status: 413,
                    "event of \(body.count) bytes exceeds the limit of \(limits.maximumEventBytes) bytes"
                )
            }
            var event = object
            event["writeKey"] = nil
            items = [(.object(event), single)]
        } else {
            guard case .array(let batch)? = object["batch"] else {
                throw IngestRequestError(status: 400, "the body must have a \"batch\" array of events")
            }
            guard batch.count <= limits.maximumBatchEvents else {
                throw IngestRequestError(
                    status: 400,
                    "batch of \(batch.count) events exceeds the limit of \(limits.maximumBatchEvents) events"
                )
            }
            items = batch.map { ($0, nil) }
        }
        let sharedContext = object["context"]?.objectValue
        let sharedIntegrations = object["integrations"]?.objectValue
        var request = SegmentRequest(accepted: [], rejected: [], writeKey: writeKey)
        for (item, type) in items {
            let merged = merge(item, context: sharedContext, integrations: sharedIntegrations)
            switch validate(merged, type: type, receivedAt: receivedAt, limits: limits) {
            case .success(let event): request.accepted.append(event)
            case .failure(let rejection): request.rejected.append(rejection)
            }
        }
        return request
    }

    /// Batch-level `context` and `integrations` merged under each event's own (the event's keys win).
    static func merge(_ item: JSONValue, context: [String: JSONValue]?, integrations: [String: JSONValue]?) -> JSONValue
    {
        guard var event = item.objectValue else { return item }
        if let context {
            var own = event["context"]?.objectValue ?? [:]
            for (key, value) in context where own[key] == nil { own[key] = value }
            event["context"] = .object(own)
        }
        if let integrations {
            var own = event["integrations"]?.objectValue ?? [:]
            for (key, value) in integrations where own[key] == nil { own[key] = value }
            event["integrations"] = .object(own)
        }
        return .object(event)
    }

    /// Validates and normalises one event (batch context already merged); `fixedType` is the call of
    /// a single-event route, `nil` for a batch item (which must carry `type`).
    public static func validate(
        _ item: JSONValue,
        type fixedType: SegmentEventType?,
        receivedAt: Date,
        limits: IngestLimits
    ) -> Result<SegmentEvent, RejectedEvent> {
        func reject(
            _ reason: QuarantineReason,
            _ detail: String,
            messageId: String? = nil
        ) -> Result<SegmentEvent, RejectedEvent> {
            .failure(
                RejectedEvent(
                    reason: reason,
                    detail: detail,
                    messageId: messageId,
                    payload: item,
                    receivedAt: receivedAt
                )
            )
        }
        guard var event = item.objectValue else { return reject(.notAnObject, "an event must be a JSON object") }
        // The server fields below are set on a copy of the client's members: one copy, with room.
        event.reserveCapacity(event.count + 5)
        let messageId: String
        switch event["messageId"] {
        case .string(let value)?:
            guard !value.isEmpty, value.utf8.count <= 100 || value.count <= 100 else {
                return reject(.invalidMessageId, "messageId must be 1 to 100 characters, got \(value.count)")
            }
            guard !Self.hasControlCharacters(value) else {
                return reject(.invalidMessageId, "messageId must not contain control characters or lone surrogates")
            }
            messageId = value
        case nil, .null?:
            messageId = "generated-" + ContentHash.hex(of: item.jsonText)
        default:
            return reject(.invalidMessageId, "messageId must be a string")
        }
        let type: SegmentEventType
        if let fixedType {
            type = fixedType
        } else {
            guard let text = event["type"]?.stringValue, let parsed = SegmentEventType(rawValue: text) else {
                return reject(
                    .invalidType,
                    "type must be one of identify, track, page, screen, group, alias",
                    messageId: messageId
                )
            }
            type = parsed
        }
        func identifier(_ key: String) -> (value: String?, isValid: Bool) {
            switch event[key] {
            case nil, .null?: return (nil, true)
            case .string(let value)?: return (value.isEmpty ? nil : value, true)
            case .number(let value)? where value == value.rounded() && abs(value) < 1e15:
                return (String(Int64(value)), true)
            default: return (nil, false)
            }
        }
        let user = identifier("userId")
        let anonymous = identifier("anonymousId")
        guard user.isValid, anonymous.isValid else {
            return reject(.invalidField, "userId and anonymousId must be strings", messageId: messageId)
        }
        for (key, value) in [("userId", user.value), ("anonymousId", anonymous.value)] {
            if let value, (value.utf8.count > 1000 && value.count > 1000) || Self.hasControlCharacters(value) {
                return reject(
                    .invalidField,
                    "\(key) must be at most 1,000 characters, without control characters or lone surrogates",
                    messageId: messageId
                )
            }
        }
        if type == .alias, user.value == nil || identifier("previousId").value == nil {
            return reject(.missingRequiredField, "an alias call needs previousId and userId", messageId: messageId)
        }
        guard user.value != nil || anonymous.value != nil else {
            return reject(.missingIdentity, "an event needs a userId or an anonymousId", messageId: messageId)
        }
        for key in ["properties", "traits", "context", "integrations"] {
            if let value = event[key], value != .null, value.objectValue == nil {
                return reject(.invalidField, "\(key) must be an object", messageId: messageId)
            }
        }
        var name: String?
        switch type {
        case .track:
            guard let value = event["event"]?.stringValue, !value.isEmpty else {
                return reject(.missingEventName, "a track call needs an event name", messageId: messageId)
            }
            name = value
        case .page, .screen:
            name = event["name"]?.stringValue
        case .group:
            guard identifier("groupId").value != nil else {
                return reject(.missingRequiredField, "a group call needs a groupId", messageId: messageId)
            }
        case .alias, .identify:
            break
        }
        var dates: [String: Date] = [:]
        for key in ["timestamp", "originalTimestamp", "sentAt"] {
            switch event[key] {
            case nil, .null?: continue
            case .string(let text)?:
                guard let date = SegmentTimestamp.parse(text) else {
                    return reject(
                        .invalidTimestamp,
                        "\(key) '\(text)' is not an ISO 8601 date-time",
                        messageId: messageId
                    )
                }
                dates[key] = date
            default:
                return reject(.invalidTimestamp, "\(key) must be a string", messageId: messageId)
            }
        }
        let timestamp: Date
        if let sentAt = dates["sentAt"], let original = dates["originalTimestamp"] ?? dates["timestamp"] {
            timestamp = receivedAt.addingTimeInterval(-sentAt.timeIntervalSince(original))
        } else {
            timestamp = dates["timestamp"] ?? dates["originalTimestamp"] ?? receivedAt
        }
        event["type"] = .string(type.rawValue)
        event["messageId"] = .string(messageId)
        event["receivedAt"] = .string(SegmentTimestamp.format(receivedAt))
        event["timestamp"] = .string(SegmentTimestamp.format(timestamp))
        if let original = dates["timestamp"], dates["originalTimestamp"] == nil {
            event["originalTimestamp"] = .string(SegmentTimestamp.format(original))
        }
        let normalized = JSONValue.object(event)
        let json = normalized.jsonText
        if json.utf8.count > limits.maximumEventBytes {
            return reject(
                .eventTooLarge,
                "event of \(json.utf8.count) bytes exceeds the limit of \(limits.maximumEventBytes) bytes",
                messageId: messageId
            )
        }
        return .success(
            SegmentEvent(
                type: type,
                messageId: messageId,
                userId: user.value,
                anonymousId: anonymous.value,
                name: name,
                timestamp: timestamp,
                receivedAt: receivedAt,
                payload: normalized,
                json: json
            )
        )
    }

    /// Whether `text` holds a C0 control character, DEL, or U+FFFD (what a lone surrogate escape
    /// becomes): never valid in an id, where two different broken ids would otherwise collide.
    static func hasControlCharacters(_ text: String) -> Bool {
        text.utf8.contains { $0 < 0x20 || $0 == 0x7F } || text.unicodeScalars.contains("\u{FFFD}")
    }
}
