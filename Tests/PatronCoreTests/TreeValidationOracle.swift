import Foundation

@testable import PatronCore

/// The validation of tracking requests as it was before requests were scanned (commit 6b5a713): the
/// body parsed into a `JSONValue` tree, batch `context`/`integrations` merged into each event, each
/// event validated on its tree. `SegmentRequestOracleTests` holds the scan to it.
enum TreeValidationOracle {
    /// One event's verdict.
    enum Outcome: Equatable {
        case accepted(
            type: SegmentEventType,
            messageId: String,
            userId: String?,
            anonymousId: String?,
            name: String?,
            timestamp: Date,
            payload: JSONValue
        )
        case rejected(reason: QuarantineReason, detail: String, messageId: String?, payload: JSONValue)
    }

    /// A body's verdict: the error a whole request gets, or its write key and each event's outcome.
    enum Verdict {
        case failed(status: Int, message: String)
        case parsed(writeKey: String?, outcomes: [Outcome])
    }

    static func parse(body: Data, single: SegmentEventType?, receivedAt: Date, limits: IngestLimits) -> Verdict {
        guard body.count <= limits.maximumBatchBytes else {
            return .failed(
                status: 413,
                message: "request body of \(body.count) bytes exceeds the limit of \(limits.maximumBatchBytes) bytes"
            )
        }
        let root: JSONValue
        do {
            root = try JSONValue.parse(body)
        } catch {
            return .failed(status: 400, message: "the body is not valid JSON: \(error)")
        }
        guard let object = root.objectValue else {
            return .failed(status: 400, message: "the body must be a JSON object")
        }
        var items: [JSONValue]
        if single != nil {
            guard body.count <= limits.maximumEventBytes else {
                return .failed(
                    status: 413,
                    message: "event of \(body.count) bytes exceeds the limit of \(limits.maximumEventBytes) bytes"
                )
            }
            var event = object
            event["writeKey"] = nil
            items = [.object(event)]
        } else {
            guard case .array(let batch)? = object["batch"] else {
                return .failed(status: 400, message: "the body must have a \"batch\" array of events")
            }
            guard batch.count <= limits.maximumBatchEvents else {
                return .failed(
                    status: 400,
                    message: "batch of \(batch.count) events exceeds the limit of \(limits.maximumBatchEvents) events"
                )
            }
            items = batch
        }
        let outcomes = items.map { item in
            validate(
                merge(item, shared: object),
                type: single,
                receivedAt: receivedAt,
                limits: limits
            )
        }
        return .parsed(writeKey: object["writeKey"]?.stringValue, outcomes: outcomes)
    }

    static func merge(_ item: JSONValue, shared: [String: JSONValue]) -> JSONValue {
        guard var event = item.objectValue else { return item }
        for key in ["context", "integrations"] {
            guard let batch = shared[key]?.objectValue else { continue }
            var own = event[key]?.objectValue ?? [:]
            for (name, value) in batch where own[name] == nil { own[name] = value }
            event[key] = .object(own)
        }
        return .object(event)
    }

    static func validate(
        _ item: JSONValue,
        type fixedType: SegmentEventType?,
        receivedAt: Date,
        limits: IngestLimits
    )
        -> Outcome
    {
        func reject(_ reason: QuarantineReason, _ detail: String, messageId: String? = nil) -> Outcome {
            .rejected(reason: reason, detail: detail, messageId: messageId, payload: item)
        }
        guard var event = item.objectValue else { return reject(.notAnObject, "an event must be a JSON object") }
        let messageId: String
        switch event["messageId"] {
        case .string(let value)?:
            guard !value.isEmpty, value.utf8.count <= 100 || value.count <= 100 else {
                return reject(.invalidMessageId, "messageId must be 1 to 100 characters, got \(value.count)")
            }
            guard !SegmentRequest.hasControlCharacters(value) else {
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
            if let value,
                (value.utf8.count > 1000 && value.count > 1000) || SegmentRequest.hasControlCharacters(value)
            {
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
        let size = normalized.jsonText.utf8.count
        if size > limits.maximumEventBytes {
            return reject(
                .eventTooLarge,
                "event of \(size) bytes exceeds the limit of \(limits.maximumEventBytes) bytes",
                messageId: messageId
            )
        }
        return .accepted(
            type: type,
            messageId: messageId,
            userId: user.value,
            anonymousId: anonymous.value,
            name: name,
            timestamp: timestamp,
            payload: normalized
        )
    }
}
