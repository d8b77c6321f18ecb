/// The error of the customer-value module: invalid data or a fit that could not be completed.
public struct CustomerValueError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A category of error; new codes may be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case invalidData
            case invalidParameter
            case fitFailed
        }
        private let wrapped: Wrapped
        /// The input data break a rule of the model (e.g. recency greater than T, negative spend).
        public static let invalidData = Code(wrapped: .invalidData)
        /// A model parameter is outside its domain (all must be finite and > 0).
        public static let invalidParameter = Code(wrapped: .invalidParameter)
        /// The optimiser could not find a maximum (the message says why).
        public static let fitFailed = Code(wrapped: .fitFailed)

        /// A short name of the code.
        public var description: String {
            switch wrapped {
            case .invalidData: "invalid data"
            case .invalidParameter: "invalid parameter"
            case .fitFailed: "fit failed"
            }
        }
    }

    /// The category.
    public var code: Code
    /// What is wrong, and where when known.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// "<code>: <message>".
    public var description: String { "\(code): \(message)" }
}
