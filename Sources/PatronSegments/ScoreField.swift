/// A column of a customer's current score (`customerScore`), as score conditions name it.
public enum ScoreField: String, Sendable, Hashable, CaseIterable {
    /// Discounted customer lifetime value over the next three years.
    case lifetimeValue3Years
    /// Discounted customer lifetime value over the next year.
    case lifetimeValue1Year
    /// The probability the customer is still active, 0 to 1.
    case probabilityAlive
    /// The customer's value decile, 1 (lowest) to 10 (highest).
    case valueDecile
    /// The value tier (text, like `high`).
    case tier
    /// Purchases expected in the next 365 days.
    case expectedPurchases365Days
    /// Purchases expected in the next 90 days.
    case expectedPurchases90Days
    /// Expected spend per purchase.
    case expectedSpend

    /// Whether the field holds text (the tier) rather than a number.
    var isText: Bool { self == .tier }
}
