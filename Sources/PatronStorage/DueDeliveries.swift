import Foundation

/// A destination's pending deliveries due at one read, oldest first, each with the consent refusal
/// found in the same read: what its deliverer sends next.
public struct DueDeliveries: Sendable {
    /// The destination, as read with its deliveries.
    public let destination: Destination
    /// The deliveries in send order, each with why it must not be sent (consent revoked since it
    /// was queued), or `nil` when it may be.
    public let deliveries: [(delivery: Delivery, refusal: String?)]
    /// When they were read: a refusal read too long before a send is checked again
    /// (``SQLiteStore/sendRefusal(_:)``).
    public let readAt: ContinuousClock.Instant

    /// No delivery is due.
    public var isEmpty: Bool { deliveries.isEmpty }
}
