public import CustomerValue
public import Foundation
public import PatronStorage

/// What a model version predicts for one purchase history, before deciles.
public struct CustomerValueEstimate: Sendable, Hashable {
    /// P(alive) at the as-of day.
    public var probabilityAlive: Double
    /// Expected purchase days in the next 90 days.
    public var expectedPurchases90Days: Double
    /// Expected purchase days in the next 365 days.
    public var expectedPurchases365Days: Double
    /// Expected spend per purchase.
    public var expectedSpend: Double
    /// Discounted CLV over the next 12 months.
    public var lifetimeValue1Year: Double
    /// Discounted CLV over the next 36 months.
    public var lifetimeValue3Years: Double
}

/// A stored model version made ready to score: the purchase model, the spend model and the CLV
/// conventions. CLV is expected purchases, discounted monthly at the version's rate (month =
/// 30.4375 days; purchases expected in month i are divided by (1 + d)ⁱ), times the expected spend
/// per purchase, over 12 and 36 months.
public struct ScoringModel: Sendable {
    /// The version.
    public let version: ModelVersion
    /// The purchase model.
    public let purchaseModel: any RepeatPurchaseModel
    /// The Gamma-Gamma spend model, when the version has one.
    public let spendModel: GammaGamma?
    /// The unit of the model's times.
    public let timeUnit: TimeUnit

    /// Builds the models of `version`.
    /// - Throws: ``InsightsError`` when the version names an unknown model or invalid parameters.
    public init(version: ModelVersion) throws(InsightsError) {
        self.version = version
        guard let unit = TimeUnit(rawValue: version.timeUnit) else {
            throw InsightsError(.invalidOption, "model version \(version.id): unknown time unit \(version.timeUnit)")
        }
        timeUnit = unit
        do {
            purchaseModel = try PurchaseModelKind(identifier: version.purchaseModel)
                .model(parameters: version.purchaseParameters)
            spendModel = try version.spendParameters.map { parameters throws(CustomerValueError) in
                try GammaGamma(parameters: parameters)
            }
        } catch {
            throw InsightsError(.invalidOption, "model version \(version.id): \(error)")
        }
    }

    /// The history of `summary` as of `asOfDay`, in the model's unit.
    public func history(_ summary: PurchaseSummary, asOfDay: Int) -> PurchaseHistory {
        PurchaseHistory(
            frequency: summary.repeatPurchases,
            recency: Double(summary.lastDay - summary.firstDay) / timeUnit.days,
            age: Double(max(asOfDay, summary.lastDay) - summary.firstDay) / timeUnit.days
        )
    }

    /// The purchase side of the estimate of one history: P(alive), expected purchases over 90 and
    /// 365 days, and discounted expected purchases over 12 and 36 months.
    func purchases(
        _ history: PurchaseHistory
    ) -> (alive: Double, next90: Double, next365: Double, discounted12: Double, discounted36: Double) {
        let model = purchaseModel
        let alive = model.probabilityAlive(history)
        let month = timeUnit.unitsPerMonth
        let rate = version.monthlyDiscountRate
        var previous = 0.0
        var discounted12 = 0.0
        var discounted36 = 0.0
        var factor = 1.0
        for index in 1...36 {
            let cumulative = model.expectedPurchasesIfActive(during: Double(index) * month, given: history)
            factor /= 1 + rate
            discounted36 += (cumulative - previous) * factor
            if index == 12 { discounted12 = discounted36 }
            previous = cumulative
        }
        let next90 = model.expectedPurchasesIfActive(during: 90 / timeUnit.days, given: history)
        let next365 = model.expectedPurchasesIfActive(during: 365 / timeUnit.days, given: history)
        return (alive, alive * next90, alive * next365, alive * discounted12, alive * discounted36)
    }

    /// The expected spend per purchase of `summary`: Gamma-Gamma's conditional mean, or without a
    /// spend model the customer's own mean revenue per purchase day.
    func expectedSpend(_ summary: PurchaseSummary) -> Double {
        if let spendModel {
            let spend = spendModel.expectedSpend(
                SpendHistory(frequency: summary.repeatPurchases, meanSpend: summary.meanRepeatSpend)
            )
            if spend.isFinite { return spend }
        }
        return (summary.firstRevenue + summary.repeatRevenue) / Double(summary.repeatPurchases + 1)
    }

    /// The estimate for one customer as of `asOfDay`.
    public func estimate(_ summary: PurchaseSummary, asOfDay: Int) -> CustomerValueEstimate {
        combine(purchases(history(summary, asOfDay: asOfDay)), spend: expectedSpend(summary))
    }

    /// Estimates for many customers, computed once per unique history and on all cores.
    public func estimateAll(_ summaries: [PurchaseSummary], asOfDay: Int) -> [CustomerValueEstimate] {
        var slots: [PurchaseHistory: Int] = [:]
        var unique: [PurchaseHistory] = []
        let slotOfCustomer = summaries.map { summary in
            let history = history(summary, asOfDay: asOfDay)
            if let slot = slots[history] { return slot }
            slots[history] = unique.count
            unique.append(history)
            return unique.count - 1
        }
        let computed = ParallelMap.map(unique, minimumChunk: 256) { purchases($0) }
        return summaries.indices.map { index in
            combine(computed[slotOfCustomer[index]], spend: expectedSpend(summaries[index]))
        }
    }

    private func combine(
        _ purchases: (alive: Double, next90: Double, next365: Double, discounted12: Double, discounted36: Double),
        spend: Double
    ) -> CustomerValueEstimate {
        CustomerValueEstimate(
            probabilityAlive: purchases.alive,
            expectedPurchases90Days: purchases.next90,
            expectedPurchases365Days: purchases.next365,
            expectedSpend: spend,
            lifetimeValue1Year: purchases.discounted12 * spend,
            lifetimeValue3Years: purchases.discounted36 * spend
        )
    }

    /// The score of one customer: the estimate placed on the version's value deciles.
    public func score(_ estimate: CustomerValueEstimate, customerId: Int64, at date: Date) -> CustomerScore {
        let decile = Self.decile(of: estimate.lifetimeValue3Years, cutPoints: version.valueCutPoints)
        return CustomerScore(
            customerId: customerId,
            modelVersionId: version.id,
            scoredAt: date,
            probabilityAlive: estimate.probabilityAlive,
            expectedPurchases90Days: estimate.expectedPurchases90Days,
            expectedPurchases365Days: estimate.expectedPurchases365Days,
            expectedSpend: estimate.expectedSpend,
            lifetimeValue1Year: estimate.lifetimeValue1Year,
            lifetimeValue3Years: estimate.lifetimeValue3Years,
            valueDecile: decile,
            tier: Self.tier(ofDecile: decile)
        )
    }

    /// 1 + the number of cut points below `value` (1 … 10 with nine cut points): a customer whose value
    /// equals the k-th cut point is in decile k, so ties at the bottom stay in the bottom decile.
    static func decile(of value: Double, cutPoints: [Double]) -> Int {
        var low = 0
        var high = cutPoints.count
        while low < high {
            let middle = (low + high) / 2
            if cutPoints[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low + 1
    }

    /// The named tier of a value decile.
    public static func tier(ofDecile decile: Int) -> String {
        switch decile {
        case 10...: "top"
        case 8...9: "high"
        case 5...7: "medium"
        default: "low"
        }
    }

    /// The 10 %, …, 90 % quantiles of the finite `values` (nearest rank), the cut points of value deciles.
    public static func decileCutPoints(_ values: [Double]) -> [Double] {
        let sorted = values.filter(\.isFinite).sorted()
        guard !sorted.isEmpty else { return [] }
        return (1...9).map {
            sorted[min(sorted.count - 1, Int((Double($0) / 10 * Double(sorted.count)).rounded(.up)) - 1)]
        }
    }
}
