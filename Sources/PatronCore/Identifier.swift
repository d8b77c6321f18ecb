/// One id of a person in one namespace: a user id, an anonymous (device or cookie) id, an email
/// address, or an external id such as a CRM or ad-platform id.
public struct Identifier: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The namespace: `user_id`, `anonymous_id`, `email`, or `external:<type>`.
    public var kind: String
    /// The id within the namespace (emails lowercased).
    public var value: String

    /// Creates an identifier.
    public init(kind: String, value: String) {
        self.kind = kind
        self.value = value
    }

    /// The namespace of user ids (`userId`).
    public static let userIdKind = "user_id"
    /// The namespace of anonymous ids (`anonymousId`).
    public static let anonymousIdKind = "anonymous_id"
    /// The namespace of email addresses (from traits).
    public static let emailKind = "email"

    /// A user id.
    public static func userId(_ value: String) -> Identifier { Identifier(kind: userIdKind, value: value) }
    /// An anonymous id.
    public static func anonymousId(_ value: String) -> Identifier { Identifier(kind: anonymousIdKind, value: value) }

    /// `kind:value`.
    public var description: String { "\(kind):\(value)" }
}
