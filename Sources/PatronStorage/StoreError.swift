/// The error of the storage module.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// A category of error; new codes may be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case unavailable
            case conflict
            case notFound
            case invalidInput
        }
        private let wrapped: Wrapped
        /// The database cannot be opened or written (path, permissions, disk full).
        public static let unavailable = Code(wrapped: .unavailable)
        /// The write conflicts with what is stored (e.g. a write key already in use).
        public static let conflict = Code(wrapped: .conflict)
        /// The thing asked for does not exist.
        public static let notFound = Code(wrapped: .notFound)
        /// The input breaks a rule (a URL that is not http(s), a malformed secret).
        public static let invalidInput = Code(wrapped: .invalidInput)

        /// A short name.
        public var description: String {
            switch wrapped {
            case .unavailable: "store unavailable"
            case .conflict: "conflict"
            case .notFound: "not found"
            case .invalidInput: "invalid input"
            }
        }
    }

    /// The category.
    public var code: Code
    /// What is wrong.
    public var message: String
    /// The underlying database error, if any.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// "<code>: <message>".
    public var description: String { "\(code): \(message)" }
}
