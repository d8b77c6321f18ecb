import Dispatch

/// What a model predicts for one customer over a horizon.
public struct CustomerPrediction: Sendable, Hashable {
    /// P(active at T).
    public var probabilityAlive: Double
    /// Expected purchases over the horizon.
    public var expectedPurchases: Double
    /// Discounted expected purchases over the horizon.
    public var discountedPurchases: Double
    /// Expected spend per purchase (Gamma-Gamma), when a spend model is given.
    public var expectedSpend: Double?
    /// Customer lifetime value over the horizon = discounted purchases × expected spend.
    public var lifetimeValue: Double? { expectedSpend.map { $0 * discountedPurchases } }
}

/// Predicts P(alive), expected purchases, expected spend and discounted CLV for many customers at once.
///
/// Predictions are computed once per unique history (customers with the same (x, t_x, T) share them)
/// and spread over all cores.
public struct CustomerValuation<Model: RepeatPurchaseModel>: Sendable {
    /// The purchase model.
    public var model: Model
    /// The spend model, if spend is known.
    public var spendModel: GammaGamma?
    /// The horizon, in `timeUnit`.
    public var horizon: Double
    /// The unit of the model's times.
    public var timeUnit: TimeUnit
    /// The discounting convention.
    public var discounting: Discounting

    /// Creates a valuation.
    public init(model: Model, spendModel: GammaGamma?, horizon: Double, timeUnit: TimeUnit, discounting: Discounting) {
        self.model = model
        self.spendModel = spendModel
        self.horizon = horizon
        self.timeUnit = timeUnit
        self.discounting = discounting
    }

    /// The prediction for one customer.
    public func predict(_ history: PurchaseHistory, meanSpend: Double = 0) -> CustomerPrediction {
        let purchases = purchasePrediction(history)
        let spend = spendModel?.expectedSpend(SpendHistory(frequency: history.frequency, meanSpend: meanSpend))
        return CustomerPrediction(
            probabilityAlive: purchases.alive,
            expectedPurchases: purchases.expected,
            discountedPurchases: purchases.discounted,
            expectedSpend: spend
        )
    }

    private func purchasePrediction(_ history: PurchaseHistory) -> (alive: Double, expected: Double, discounted: Double)
    {
        let alive = model.probabilityAlive(history)
        let ifActive = model.expectedPurchasesIfActive(during: horizon, given: history)
        let discounted = discounting.discountedPurchases(horizon: horizon, unit: timeUnit) { t in
            t == horizon ? ifActive : model.expectedPurchasesIfActive(during: t, given: history)
        }
        return (alive, alive * ifActive, alive * discounted)
    }

    /// Predictions for many customers, in input order.
    /// - Parameters:
    ///   - histories: one history per customer.
    ///   - meanSpends: one mean repeat spend per customer (ignored without a spend model).
    public func predictAll(_ histories: [PurchaseHistory], meanSpends: [Double]? = nil) -> [CustomerPrediction] {
        var index = RowIndex(expectedCount: 1024)
        var unique: [PurchaseHistory] = []
        let slots = histories.map { history in
            let slot = index.slot(for: history.indexKey)
            if slot == unique.count { unique.append(history) }
            return slot
        }
        let computed = ParallelMap.map(unique) { purchasePrediction($0) }
        return histories.indices.map { index in
            let purchases = computed[slots[index]]
            let spend = spendModel?.expectedSpend(
                SpendHistory(frequency: histories[index].frequency, meanSpend: meanSpends?[index] ?? 0)
            )
            return CustomerPrediction(
                probabilityAlive: purchases.alive,
                expectedPurchases: purchases.expected,
                discountedPurchases: purchases.discounted,
                expectedSpend: spend
            )
        }
    }
}

/// Maps an array over all cores in contiguous chunks.
public enum ParallelMap {
    /// `elements.map(transform)`, computed in up to 64 contiguous chunks on all cores when there are
    /// more than `minimumChunk` elements; the result is in input order.
    public static func map<Element: Sendable, Result: Sendable>(
        _ elements: [Element],
        minimumChunk: Int = 2048,
        _ transform: @Sendable (Element) -> Result
    ) -> [Result] {
        let count = elements.count
        guard count > minimumChunk else { return elements.map(transform) }
        let chunks = Swift.min(64, Swift.max(1, count / minimumChunk))
        let chunkSize = (count + chunks - 1) / chunks
        let results = ResultSlots<Result>(count: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let range = (chunk * chunkSize)..<Swift.min(count, (chunk + 1) * chunkSize)
            results.store(elements[range].map(transform), at: chunk)
        }
        return results.joined()
    }
}

/// Per-chunk result storage written by distinct threads at distinct indices.
/// `@unchecked Sendable`: every write is under the lock.
final class ResultSlots<Result: Sendable>: @unchecked Sendable {
    private var slots: [[Result]]
    private let lock = DispatchSemaphore(value: 1)

    init(count: Int) { slots = Array(repeating: [], count: count) }

    func store(_ values: [Result], at index: Int) {
        lock.wait()
        slots[index] = values
        lock.signal()
    }

    func joined() -> [Result] {
        lock.wait()
        defer { lock.signal() }
        return slots.flatMap { $0 }
    }
}
