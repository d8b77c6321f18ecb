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
///
/// The body is scanned, not built into a tree: every byte is checked by the rules of
/// ``JSONValue/parse(_:)``, the members each event's validation reads are decoded, and the stored
/// JSON is written from the event's own bytes (top-level keys sorted, whitespace between tokens
/// dropped, nested values as the client sent them). Only a rejected event, one without a messageId
/// (whose id is derived from its content), or one whose JSON as sent is over the size limit, is
/// parsed into a ``JSONValue``.
public struct SegmentRequest: Sendable {
    /// Events that passed validation.
    public var accepted: [AcceptedEvent]
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
        let result = body.withUnsafeBytes { raw in
            Result { () throws(IngestRequestError) -> SegmentRequest in
                try parse(raw.bindMemory(to: UInt8.self), single: single, receivedAt: receivedAt, limits: limits)
            }
        }
        return try result.get()
    }

    private static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>,
        single: SegmentEventType?,
        receivedAt: Date,
        limits: IngestLimits
    ) throws(IngestRequestError) -> SegmentRequest {
        var batch: ScannedArray?
        guard let root = try scanRoot(bytes, expanding: single == nil ? "batch" : nil, into: &batch) else {
            throw IngestRequestError(status: 400, "the body must be a JSON object")
        }
        let body = ScannedEvent(bytes: bytes, members: root, range: 0..<bytes.count)
        let writeKey = body.member("writeKey").flatMap(body.string)
        var request = SegmentRequest(accepted: [], rejected: [], writeKey: writeKey)
        if let single {
            guard bytes.count <= limits.maximumEventBytes else {
                throw IngestRequestError(
                    status: 413,
                    "event of \(bytes.count) bytes exceeds the limit of \(limits.maximumEventBytes) bytes"
                )
            }
            var event = body
            event.members.removeAll { $0.key == "writeKey" }
            request.add(validate(event, type: single, receivedAt: receivedAt, limits: limits))
            return request
        }
        guard body.member("batch")?.kind == .array else {
            throw IngestRequestError(status: 400, "the body must have a \"batch\" array of events")
        }
        // The scan of the root expanded the (last) batch array.
        let items = batch?.elements ?? []
        guard items.count <= limits.maximumBatchEvents else {
            throw IngestRequestError(
                status: 400,
                "batch of \(items.count) events exceeds the limit of \(limits.maximumBatchEvents) events"
            )
        }
        let shared = SharedMembers(
            context: body.member("context").flatMap(body.members),
            integrations: body.member("integrations").flatMap(body.members)
        )
        for item in items {
            guard let members = item.members else {
                request.rejected.append(notAnObject(body.tree(of: item.value), receivedAt: receivedAt))
                continue
            }
            let event = ScannedEvent(bytes: bytes, members: members, range: item.value, shared: shared)
            request.add(validate(event, type: nil, receivedAt: receivedAt, limits: limits))
        }
        return request
    }

    /// The members of the root object, or `nil` when the body is valid JSON but not an object.
    private static func scanRoot(
        _ bytes: UnsafeBufferPointer<UInt8>,
        expanding expanded: String? = nil,
        into elements: inout ScannedArray?
    ) throws(IngestRequestError) -> [ScannedMember]? {
        var parser = JSONParser(bytes: bytes, maximumDepth: JSONValue.maximumDepth)
        do {
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { parser.index = 3 }
            parser.skipWhitespace()
            let members: [ScannedMember]?
            if parser.index < bytes.count, bytes[parser.index] == UInt8(ascii: "{") {
                members = try parser.scanObject(depth: 1, expanding: expanded, into: &elements)
            } else {
                _ = try parser.skipValue(depth: 0)
                members = nil
            }
            parser.skipWhitespace()
            guard parser.index == bytes.count else { throw parser.error("unexpected data after the JSON value") }
            return members
        } catch {
            throw IngestRequestError(status: 400, "the body is not valid JSON: \(error)")
        }
    }

    private mutating func add(_ result: Result<AcceptedEvent, RejectedEvent>) {
        switch result {
        case .success(let event): accepted.append(event)
        case .failure(let rejection): rejected.append(rejection)
        }
    }

    /// Validates one stored event's JSON again (a quarantined event being replayed).
    public static func validate(
        eventJSON text: String,
        receivedAt: Date,
        limits: IngestLimits
    ) -> Result<AcceptedEvent, RejectedEvent> {
        var text = text
        return text.withUTF8 { bytes in
            var unused: ScannedArray?
            guard let members = try? scanRoot(bytes, into: &unused) else {
                let payload = (try? JSONValue.parse(Data(bytes))) ?? .string(String(decoding: bytes, as: UTF8.self))
                return .failure(notAnObject(payload, receivedAt: receivedAt))
            }
            let event = ScannedEvent(bytes: bytes, members: members, range: 0..<bytes.count)
            return validate(event, type: nil, receivedAt: receivedAt, limits: limits)
        }
    }

    /// The rejection of an event that is not a JSON object.
    private static func notAnObject(_ payload: JSONValue, receivedAt: Date) -> RejectedEvent {
        RejectedEvent(
            reason: .notAnObject,
            detail: "an event must be a JSON object",
            messageId: nil,
            payload: payload,
            receivedAt: receivedAt
        )
    }

    /// Validates and normalises one event (batch `context`/`integrations` merged under its own);
    /// `fixedType` is the call of a single-event route, `nil` for a batch item (which must carry `type`).
    static func validate(
        _ event: ScannedEvent,
        type fixedType: SegmentEventType?,
        receivedAt: Date,
        limits: IngestLimits
    ) -> Result<AcceptedEvent, RejectedEvent> {
        func reject(
            _ reason: QuarantineReason,
            _ detail: String,
            messageId: String? = nil
        ) -> Result<AcceptedEvent, RejectedEvent> {
            .failure(
                RejectedEvent(
                    reason: reason,
                    detail: detail,
                    messageId: messageId,
                    payload: event.mergedTree(),
                    receivedAt: receivedAt
                )
            )
        }
        let messageId: String
        let messageIdMember = event.member("messageId")
        switch messageIdMember?.kind {
        case .string?:
            let value = messageIdMember.flatMap(event.string) ?? ""
            guard !value.isEmpty, value.utf8.count <= 100 || value.count <= 100 else {
                return reject(.invalidMessageId, "messageId must be 1 to 100 characters, got \(value.count)")
            }
            guard !Self.hasControlCharacters(value) else {
                return reject(.invalidMessageId, "messageId must not contain control characters or lone surrogates")
            }
            messageId = value
        case nil, .null?:
            messageId = "generated-" + ContentHash.hex(of: event.mergedTree().jsonText)
        default:
            return reject(.invalidMessageId, "messageId must be a string")
        }
        let type: SegmentEventType
        if let fixedType {
            type = fixedType
        } else {
            guard let text = event.member("type").flatMap(event.string), let parsed = SegmentEventType(rawValue: text)
            else {
                return reject(
                    .invalidType,
                    "type must be one of identify, track, page, screen, group, alias",
                    messageId: messageId
                )
            }
            type = parsed
        }
        let user = event.identifier("userId")
        let anonymous = event.identifier("anonymousId")
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
        if type == .alias, user.value == nil || event.identifier("previousId").value == nil {
            return reject(.missingRequiredField, "an alias call needs previousId and userId", messageId: messageId)
        }
        guard user.value != nil || anonymous.value != nil else {
            return reject(.missingIdentity, "an event needs a userId or an anonymousId", messageId: messageId)
        }
        for key in ["properties", "traits", "context", "integrations"] where event.batchMembers(for: key) == nil {
            if event.kind(of: key).map({ $0 != .null && $0 != .object }) == true {
                return reject(.invalidField, "\(key) must be an object", messageId: messageId)
            }
        }
        var name: String?
        switch type {
        case .track:
            guard let value = event.member("event").flatMap(event.string), !value.isEmpty else {
                return reject(.missingEventName, "a track call needs an event name", messageId: messageId)
            }
            name = value
        case .page, .screen:
            name = event.member("name").flatMap(event.string)
        case .group:
            guard event.identifier("groupId").value != nil else {
                return reject(.missingRequiredField, "a group call needs a groupId", messageId: messageId)
            }
        case .alias, .identify:
            break
        }
        var dates: [String: Date] = [:]
        for key in ["timestamp", "originalTimestamp", "sentAt"] {
            guard let member = event.member(key), member.kind != .null else { continue }
            guard let text = event.string(member) else {
                return reject(.invalidTimestamp, "\(key) must be a string", messageId: messageId)
            }
            guard let date = SegmentTimestamp.parse(text) else {
                return reject(.invalidTimestamp, "\(key) '\(text)' is not an ISO 8601 date-time", messageId: messageId)
            }
            dates[key] = date
        }
        let timestamp: Date
        if let sentAt = dates["sentAt"], let original = dates["originalTimestamp"] ?? dates["timestamp"] {
            timestamp = receivedAt.addingTimeInterval(-sentAt.timeIntervalSince(original))
        } else {
            timestamp = dates["timestamp"] ?? dates["originalTimestamp"] ?? receivedAt
        }
        var serverFields: [(key: String, value: String)] = [
            ("type", type.rawValue),
            ("messageId", messageId),
            ("receivedAt", SegmentTimestamp.format(receivedAt)),
            ("timestamp", SegmentTimestamp.format(timestamp)),
        ]
        if let original = dates["timestamp"], dates["originalTimestamp"] == nil {
            serverFields.append(("originalTimestamp", SegmentTimestamp.format(original)))
        }
        var json = event.normalizedJSON(setting: serverFields)
        if json.utf8.count > limits.maximumEventBytes {
            // Nested values are stored as sent; their canonical form (repeated keys dropped, escapes
            // and number spellings normalised) can be shorter, and fits if either does.
            if case .object(var canonical) = event.mergedTree() {
                for (key, value) in serverFields { canonical[key] = .string(value) }
                json = JSONValue.object(canonical).jsonText
            }
        }
        if json.utf8.count > limits.maximumEventBytes {
            return reject(
                .eventTooLarge,
                "event of \(json.utf8.count) bytes exceeds the limit of \(limits.maximumEventBytes) bytes",
                messageId: messageId
            )
        }
        return .success(
            AcceptedEvent(
                type: type,
                messageId: messageId,
                userId: user.value,
                anonymousId: anonymous.value,
                name: name,
                timestamp: timestamp,
                receivedAt: receivedAt,
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
