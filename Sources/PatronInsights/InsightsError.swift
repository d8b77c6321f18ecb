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

    /// Runs `body`, turning store failures (and anything unexpected) into ``InsightsError``.
    static func wrapping<T>(_ body: () async throws -> T) async throws(InsightsError) -> T {
        do {
            return try await body()
        } catch let error as InsightsError {
            throw error
        } catch let error as StoreError {
            throw InsightsError(error)
        } catch {
            throw InsightsError(.store, "\(error)")
        }
    }
}
