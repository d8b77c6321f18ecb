import PatronStorage

/// Why an insight could not be computed, in words a user can act on.
public struct InsightsError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure.
    public enum Code: Sendable {
        /// The store holds too little data (no transactions, no repeat purchases).
        case insufficientData
        /// An option is out of range.
        case invalidOption
        /// No model converged.
        case fitFailed
        /// The store failed.
        case store
    }

    /// The kind.
    public var code: Code
    /// The message.
    public var description: String

    init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    init(_ error: StoreError) {
        self.init(.store, error.description)
    }
}
