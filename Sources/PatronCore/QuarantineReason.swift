/// Why an event was not accepted; the event is kept in quarantine with its raw JSON and can be
/// replayed once the cause is fixed.
public enum QuarantineReason: String, Sendable, Codable, CaseIterable {
    /// The event is not a JSON object.
    case notAnObject
    /// `type` is missing or not one of the six Segment calls.
    case invalidType
    /// Neither `userId` nor `anonymousId` is a non-empty string.
    case missingIdentity
    /// A `track` call without an `event` name.
    case missingEventName
    /// A `group` call without `groupId`, or an `alias` call without `previousId`.
    case missingRequiredField
    /// `timestamp`, `originalTimestamp` or `sentAt` is not an ISO 8601 date-time.
    case invalidTimestamp
    /// `messageId` is longer than 100 characters or not a string.
    case invalidMessageId
    /// A field has the wrong JSON type (e.g. `traits` that is not an object).
    case invalidField
    /// The event is larger than the per-event limit.
    case eventTooLarge
}
