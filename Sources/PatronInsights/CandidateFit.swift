import CustomerValue
import Foundation

/// Mean holdout purchases of the customers with one calibration frequency: the actual figure next
/// to the model's prediction (the "conditional expectations" check of Fader, Hardie & Lee 2005).
public struct FrequencyBucket: Sendable, Hashable, Codable {
    /// `0`, `1`, …, `6`, `7+`: repeat purchases in the calibration period.
    public var label: String
    /// Customers in the bucket.
    public var customers: Int
    /// Their mean actual purchases in the holdout period.
    public var actualMean: Double
    /// Their mean predicted purchases in the holdout period.
    public var predictedMean: Double
}

/// One purchase model fitted and judged: likelihood, information criteria and, with a holdout
/// period, how well it predicted that period.
public struct CandidateFit: Sendable, Hashable, Codable {
    /// The model identifier (`bgnbd`, `mbgnbd`, `pnbd`).
    public var model: String
    /// Parameter names.
    public var parameterNames: [String]
    /// Parameters (in the fit's time unit).
    public var parameters: [Double]
    /// Standard errors, when available.
    public var standardErrors: [Double]?
    /// Total log-likelihood.
    public var logLikelihood: Double
    /// Akaike information criterion, 2k − 2 LL.
    public var aic: Double
    /// Bayesian information criterion, k ln n − 2 LL.
    public var bic: Double
    /// Whether the optimiser converged to a trusted optimum.
    public var converged: Bool
    /// Warnings of the fit.
    public var warnings: [String]
    /// Customers fitted.
    public var customers: Int
    /// Holdout check by calibration frequency (empty without a holdout).
    public var holdoutBuckets: [FrequencyBucket]
    /// Total actual holdout purchases.
    public var holdoutActual: Double
    /// Total predicted holdout purchases.
    public var holdoutPredicted: Double
    /// Σ customers · |predicted − actual| of the bucket means / customers: the mean absolute error
    /// per customer of the bucket means (lower is better).
    public var holdoutError: Double?
    /// Seconds the fit took.
    public var seconds: Double

    /// Fits `type` on `groups` (days converted to `unit`) and, when `holdoutDays` > 0, predicts the
    /// holdout purchases of each group.
    static func fit<Model: RepeatPurchaseModel>(
        _ type: Model.Type,
        groups: [HistoryGroupRow],
        unit: TimeUnit,
        holdoutDays: Int
    ) throws(CustomerValueError) -> CandidateFit {
        let fitted = groups.filter { $0.history.age > 0 }
        let data = CompressedHistories(rows: fitted.map(\.history), counts: fitted.map { Double($0.customers) })
        let fit = try type.fit(data)
        let k = Double(Model.parameterNames.count)
        let n = data.customerCount
        var candidate = CandidateFit(
            model: Model.identifier,
            parameterNames: Model.parameterNames,
            parameters: fit.model.parameters,
            standardErrors: fit.standardErrors,
            logLikelihood: fit.logLikelihood,
            aic: 2 * k - 2 * fit.logLikelihood,
            bic: k * log(n) - 2 * fit.logLikelihood,
            converged: fit.isConverged,
            warnings: fit.warnings,
            customers: Int(n),
            holdoutBuckets: [],
            holdoutActual: 0,
            holdoutPredicted: 0,
            holdoutError: nil,
            seconds: fit.seconds
        )
        if holdoutDays > 0 {
            candidate.judge(fit.model, on: groups, horizon: Double(holdoutDays) / unit.days)
        }
        return candidate
    }

    private mutating func judge(_ model: some RepeatPurchaseModel, on groups: [HistoryGroupRow], horizon: Double) {
        let labels = (0...6).map(String.init) + ["7+"]
        var customers = [Int](repeating: 0, count: labels.count)
        var actual = [Double](repeating: 0, count: labels.count)
        var predicted = [Double](repeating: 0, count: labels.count)
        for group in groups {
            let bucket = min(group.history.frequency, labels.count - 1)
            let expected = model.expectedPurchases(during: horizon, given: group.history)
            customers[bucket] += group.customers
            actual[bucket] += Double(group.holdoutPurchases)
            predicted[bucket] += expected * Double(group.customers)
        }
        holdoutBuckets = labels.indices.filter { customers[$0] > 0 }.map { index in
            FrequencyBucket(
                label: labels[index],
                customers: customers[index],
                actualMean: actual[index] / Double(customers[index]),
                predictedMean: predicted[index] / Double(customers[index])
            )
        }
        holdoutActual = actual.reduce(0, +)
        holdoutPredicted = predicted.reduce(0, +)
        let total = customers.reduce(0, +)
        holdoutError =
            total > 0
            ? holdoutBuckets.reduce(0) { $0 + Double($1.customers) * abs($1.predictedMean - $1.actualMean) }
                / Double(total) : nil
    }
}

/// A grouped history in the model's unit with its counts.
struct HistoryGroupRow: Sendable {
    var history: PurchaseHistory
    var customers: Int
    var holdoutPurchases: Int
}
