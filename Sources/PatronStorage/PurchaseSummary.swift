/// One customer's purchase summary as of a day, computed by the store from its transactions:
/// purchases are merged per calendar day (UTC), fully refunded orders do not count, and refunds
/// reduce spend. Days are day numbers (days since 1970-01-01).
public struct PurchaseSummary: Sendable, Hashable {
    /// The customer.
    public var customerId: Int64
    /// The day of the first purchase.
    public var firstDay: Int
    /// The day of the last purchase up to the as-of day.
    public var lastDay: Int
    /// Repeat purchase days up to the as-of day (x: purchase days after the first).
    public var repeatPurchases: Int
    /// Revenue of the first purchase day.
    public var firstRevenue: Double
    /// Revenue of the repeat purchase days.
    public var repeatRevenue: Double
    /// Purchase days after the as-of day, up to the holdout end (0 without a holdout).
    public var holdoutPurchases: Int
    /// Revenue after the as-of day, up to the holdout end.
    public var holdoutRevenue: Double

    /// Creates a summary.
    public init(
        customerId: Int64,
        firstDay: Int,
        lastDay: Int,
        repeatPurchases: Int,
        firstRevenue: Double,
        repeatRevenue: Double,
        holdoutPurchases: Int = 0,
        holdoutRevenue: Double = 0
    ) {
        self.customerId = customerId
        self.firstDay = firstDay
        self.lastDay = lastDay
        self.repeatPurchases = repeatPurchases
        self.firstRevenue = firstRevenue
        self.repeatRevenue = repeatRevenue
        self.holdoutPurchases = holdoutPurchases
        self.holdoutRevenue = holdoutRevenue
    }

    /// The mean revenue of a repeat purchase day (0 without repeat purchases), the spend that
    /// Gamma-Gamma models.
    public var meanRepeatSpend: Double { repeatPurchases > 0 ? repeatRevenue / Double(repeatPurchases) : 0 }
}

/// Customers sharing one (x, first day, last day) history as of a day, with how many there are and
/// what they bought after it: the sufficient statistics a purchase model is fitted on, produced by
/// a `GROUP BY` in the store.
public struct PurchaseHistoryGroup: Sendable, Hashable {
    /// Repeat purchase days (x).
    public var repeatPurchases: Int
    /// Days from the first purchase to the last (t_x, in days).
    public var recencyDays: Int
    /// Days from the first purchase to the as-of day (T, in days).
    public var ageDays: Int
    /// Customers with this history.
    public var customers: Int
    /// Their purchase days after the as-of day, up to the holdout end, summed.
    public var holdoutPurchases: Int

    /// Creates a group.
    public init(repeatPurchases: Int, recencyDays: Int, ageDays: Int, customers: Int, holdoutPurchases: Int) {
        self.repeatPurchases = repeatPurchases
        self.recencyDays = recencyDays
        self.ageDays = ageDays
        self.customers = customers
        self.holdoutPurchases = holdoutPurchases
    }
}

/// The sufficient statistics of one purchase history in days: (x, t_x, T).
public struct PurchaseHistoryKey: Hashable, Sendable, Comparable {
    /// Repeat purchase days (x).
    public var repeatPurchases: Int
    /// Days from the first purchase to the last (t_x).
    public var recencyDays: Int
    /// Days from the first purchase to the as-of day (T).
    public var ageDays: Int

    /// Creates a key.
    public init(repeatPurchases: Int, recencyDays: Int, ageDays: Int) {
        self.repeatPurchases = repeatPurchases
        self.recencyDays = recencyDays
        self.ageDays = ageDays
    }

    /// Ordered by x, then t_x, then T.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.repeatPurchases, lhs.recencyDays, lhs.ageDays) < (rhs.repeatPurchases, rhs.recencyDays, rhs.ageDays)
    }
}
