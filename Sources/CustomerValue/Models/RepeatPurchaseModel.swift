/// A continuous-time model of repeat purchases and dropout (BG/NBD, MBG/NBD, Pareto/NBD), fitted on
/// ``CompressedHistories`` and predicting per customer.
///
/// Times (t, t_x, T) are in the unit of the data the model was fitted on.
public protocol RepeatPurchaseModel: LikelihoodModel where FitData == CompressedHistories {
    /// The probability that a customer with this history is still active at T.
    func probabilityAlive(_ history: PurchaseHistory) -> Double
    /// E[X(t)], the expected number of purchases of a new customer in (0, t].
    func expectedPurchases(during t: Double) -> Double
    /// E[X(T, T + t) | x, t_x, T], the expected purchases of this customer in the next t.
    func expectedPurchases(during t: Double, given history: PurchaseHistory) -> Double
    /// E[X(T, T + t) | x, t_x, T, active at T]: the expected purchases in the next t if the customer is
    /// still active; ``expectedPurchases(during:given:)`` is this times ``probabilityAlive(_:)``.
    func expectedPurchasesIfActive(during t: Double, given history: PurchaseHistory) -> Double
    /// P(X(t) = n), the probability that a new customer makes exactly n purchases in (0, t].
    func probabilityOfPurchases(_ n: Int, during t: Double) -> Double
    /// The log-likelihood of one customer's history.
    func logLikelihood(_ history: PurchaseHistory) -> Double
    /// Draws one customer's history observed for `age` time units.
    func sampleHistory(age: Double, using generator: inout some RandomNumberGenerator) -> PurchaseHistory
    /// Fits the model by maximum likelihood.
    static func fit(_ data: CompressedHistories, options: FitOptions) throws(CustomerValueError) -> ModelFit<Self>
}

extension RepeatPurchaseModel {
    /// E[X(T, T + t) | x, t_x, T] = P(alive) · E[X(T, T + t) | active].
    public func expectedPurchases(during t: Double, given history: PurchaseHistory) -> Double {
        probabilityAlive(history) * expectedPurchasesIfActive(during: t, given: history)
    }

    /// Fits with default options.
    public static func fit(_ data: CompressedHistories) throws(CustomerValueError) -> ModelFit<Self> {
        try fit(data, options: FitOptions())
    }

    /// Draws `count` histories with ages from `age`.
    public func sampleHistories(
        count: Int,
        age: (inout SeededGeneratorBox) -> Double,
        seed: UInt64
    ) -> [PurchaseHistory] {
        var box = SeededGeneratorBox(seed: seed)
        return (0..<count).map { _ in
            let customerAge = age(&box)
            return sampleHistory(age: customerAge, using: &box.generator)
        }
    }
}
