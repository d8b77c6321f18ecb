public import Foundation
public import PatronCore

/// A customer as the admin API shows it.
public struct CustomerProfile: Sendable, Hashable, Codable {
    /// The customer's internal id.
    public var id: Int64
    /// Every id linked to the customer.
    public var identifiers: [Identifier]
    /// Traits, latest value per trait.
    public var traits: [String: JSONValue]
    /// Time of the first and last event.
    public var firstSeen: Date?
    /// Time of the last event.
    public var lastSeen: Date?
    /// Events attributed to the customer.
    public var eventCount: Int
    /// Orders (refunded ones included).
    public var transactionCount: Int
    /// Revenue net of refunds, summed over currencies as sent.
    public var revenue: Double
    /// First touch.
    public var acquisition: Acquisition?
}

/// A customer's first touch as stored.
public struct Acquisition: Sendable, Hashable, Codable {
    /// Event source (or `import`).
    public var source: String
    /// `utm_source`.
    public var utmSource: String?
    /// `utm_medium`.
    public var utmMedium: String?
    /// `utm_campaign`.
    public var utmCampaign: String?
    /// Referring URL.
    public var referrer: String?
    /// Channel (see ``AcquisitionTouch/channel(medium:utmSource:referrer:)``).
    public var channel: String
    /// When.
    public var firstTouchAt: Date
}

/// One transaction of a customer.
public struct CustomerTransaction: Sendable, Hashable, Codable {
    /// The order id (dedup key).
    public var orderId: String
    /// Revenue as sent.
    public var revenue: Double
    /// ISO 4217 code.
    public var currency: String
    /// When the order was placed.
    public var timestamp: Date
    /// Amount refunded so far.
    public var refundedAmount: Double
    /// Whether any refund was recorded.
    public var refunded: Bool
    /// The source (write key's source or `import`).
    public var source: String
}

/// One entry of the identity audit.
public struct IdentityAuditEntry: Sendable, Hashable, Codable {
    /// The entry id (pass it to `patron identity split`).
    public var id: Int64
    /// `merge`, `split`, `conflict`, `blocked` or `capped`.
    public var action: String
    /// The customer kept (merge), restored (split) or chosen (conflict).
    public var customerId: Int64?
    /// The other customer involved.
    public var otherCustomerId: Int64?
    /// The ids concerned.
    public var identifiers: [Identifier]
    /// Why.
    public var reason: String
    /// The event that caused it.
    public var eventId: Int64?
    /// When.
    public var at: Date
    /// When a merge was undone.
    public var undoneAt: Date?
}
