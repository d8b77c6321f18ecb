/// The six calls of the Segment tracking spec.
public enum SegmentEventType: String, Sendable, Codable, CaseIterable {
    /// Who the user is, with traits.
    case identify
    /// An action the user did.
    case track
    /// A web page view.
    case page
    /// A mobile screen view.
    case screen
    /// Membership of a group or account.
    case group
    /// A new id for a known user.
    case alias
}
