/// The sufficient statistics of one customer for the continuous-time repeat-purchase models
/// (BG/NBD, MBG/NBD, Pareto/NBD): repeat purchases x, time of the last purchase t_x and age T,
/// both measured from the first purchase in the model's ``TimeUnit``.
public struct PurchaseHistory: Hashable, Sendable, Codable {
    /// Number of repeat purchases x (the first purchase is not counted).
    public var frequency: Int
    /// Time from the first to the last purchase, t_x (0 when x = 0).
    public var recency: Double
    /// Time from the first purchase to the end of observation, T.
    public var age: Double

    /// Creates a history without checking it; use ``validated(frequency:recency:age:)`` for input.
    public init(frequency: Int, recency: Double, age: Double) {
        self.frequency = frequency
        self.recency = recency
        self.age = age
    }

    /// Creates a history after checking 0 ≤ t_x ≤ T, x ≥ 0, and t_x = 0 when x = 0.
    /// - Throws: ``CustomerValueError`` with code `.invalidData` naming the violated rule.
    public static func validated(frequency: Int, recency: Double, age: Double) throws(CustomerValueError) -> Self {
        guard frequency >= 0 else {
            throw CustomerValueError(.invalidData, "frequency must be ≥ 0, got \(frequency)")
        }
        guard recency.isFinite, recency >= 0 else {
            throw CustomerValueError(.invalidData, "recency must be a finite number ≥ 0, got \(recency)")
        }
        guard age.isFinite, age > 0 else {
            throw CustomerValueError(.invalidData, "T (age) must be a finite number > 0, got \(age)")
        }
        guard recency <= age * (1 + 1e-12) else {
            throw CustomerValueError(.invalidData, "recency \(recency) is greater than T \(age)")
        }
        guard frequency > 0 || recency == 0 else {
            throw CustomerValueError(.invalidData, "recency must be 0 when frequency is 0, got \(recency)")
        }
        return Self(frequency: frequency, recency: Swift.min(recency, age), age: age)
    }

    /// The same history with times divided by `factor` (time rescaling for fitting).
    public func rescaled(by factor: Double) -> Self {
        Self(frequency: frequency, recency: recency / factor, age: age / factor)
    }
}
