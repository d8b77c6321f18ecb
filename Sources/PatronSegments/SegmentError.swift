import PatronStorage

/// The error of the segments module.
public struct SegmentError: Error, Sendable, CustomStringConvertible {
    /// A category of error; new codes may be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case invalidDefinition
            case notFound
            case conflict
            case unavailable
        }
        private let wrapped: Wrapped
        /// The condition is not valid JSON or not a valid condition; ``SegmentError/path`` says where.
        public static let invalidDefinition = Code(wrapped: .invalidDefinition)
        /// The segment (or a segment a condition refers to) does not exist.
        public static let notFound = Code(wrapped: .notFound)
        /// The change conflicts with what is stored (a name already in use).
        public static let conflict = Code(wrapped: .conflict)
        /// The store cannot be read or written.
        public static let unavailable = Code(wrapped: .unavailable)

        /// A short name.
        public var description: String {
            switch wrapped {
            case .invalidDefinition: "invalid definition"
            case .notFound: "not found"
            case .conflict: "conflict"
            case .unavailable: "store unavailable"
            }
        }
    }

    /// The category.
    public var code: Code
    /// Where in the definition the problem is, as a JSON path (`all[2].op`); empty for the whole
    /// definition or for errors that are not about a definition.
    public var path: String
    /// What is wrong and how to fix it.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, path: String = "", _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    /// An error of the store, with its code carried over.
    init(_ error: StoreError) {
        let code: Code =
            switch error.code {
            case .notFound: .notFound
            case .conflict: .conflict
            default: .unavailable
            }
        self.init(code, error.message)
    }

    /// "<path>: <message>", or the message alone when there is no path.
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}
