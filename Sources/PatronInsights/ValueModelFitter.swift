public import CustomerValue
public import Foundation
public import PatronStorage

/// How `patron fit` on the store runs.
public struct StoreFitOptions: Sendable {
    /// Only this purchase model (`bgnbd`, `mbgnbd`, `pnbd`); `nil` compares all and keeps the best.
    public var model: String?
    /// The last day of data (days since 1970-01-01, inclusive); `nil` = the last purchase day.
    public var asOfDay: Int?
    /// Days held out to compare the models; `nil` = a third of the data span, at most 365.
    public var holdoutDays: Int?
    /// The unit of the model's times.
    public var timeUnit: TimeUnit
    /// The monthly discount rate of CLV figures.
    public var monthlyDiscountRate: Double
    /// Whether the new version becomes the active one.
    public var activate: Bool
    /// Whether every customer is scored with the new version.
    public var score: Bool
    /// Whether the valuation as of the cut-off is kept as a value snapshot.
    public var snapshot: Bool
    /// Above this many customers the holdout comparison runs on a sample of about this many,
    /// spread over the whole customer-id range (ids follow first appearance, so every period of
    /// acquisition is represented); the final fit and the scores always use every customer.
    public var comparisonSampleCustomers: Int

    /// Creates options.
    public init(
        model: String? = nil,
        asOfDay: Int? = nil,
        holdoutDays: Int? = nil,
        timeUnit: TimeUnit = .weeks,
        monthlyDiscountRate: Double = 0.01,
        activate: Bool = true,
        score: Bool = true,
        snapshot: Bool = false,
        comparisonSampleCustomers: Int = 100_000
    ) {
        self.model = model
        self.asOfDay = asOfDay
        self.holdoutDays = holdoutDays
        self.timeUnit = timeUnit
        self.monthlyDiscountRate = monthlyDiscountRate
        self.activate = activate
        self.score = score
        self.snapshot = snapshot
        self.comparisonSampleCustomers = comparisonSampleCustomers
    }
}

/// The comparison stored with a model version (its `metricsJSON`).
public struct FitComparison: Sendable, Hashable, Codable {
    /// The first day of the holdout period used to compare (days since 1970-01-01), if any.
    public var calibrationEndDay: Int?
    /// Holdout length in days (0 = compared on BIC).
    public var holdoutDays: Int
    /// Customers the holdout comparison ran on when it used a sample (`nil`: every customer).
    public var comparisonSample: Int?
    /// The candidates fitted on the calibration period (or on all data without a holdout).
    public var candidates: [CandidateFit]
    /// Why the chosen model was kept.
    public var selection: String
    /// The final purchase model fitted on all data up to the cut-off.
    public var final: CandidateFit
    /// The spend model's log-likelihood and customers, when fitted.
    public var spendLogLikelihood: Double?
    /// Customers with repeat purchases the spend model was fitted on.
    public var spendCustomers: Int?
    /// Warnings for the user.
    public var warnings: [String]
    /// Seconds per stage (summaries, fits, scoring, writing).
    public var stageSeconds: [String: Double]
}

/// What a store fit produced.
public struct StoreFitOutcome: Sendable {
    /// The saved model version.
    public var version: ModelVersion
    /// The comparison behind it.
    public var comparison: FitComparison
    /// Customers scored (0 when scoring was off).
    public var customersScored: Int
    /// The value snapshot written, when asked for.
    public var snapshotId: Int64?
}

/// Fits the value models on the store's transactions and scores the customer base: summaries
/// grouped in SQL, candidates compared on a holdout period, the best refitted on all data with
/// Gamma-Gamma spend, saved as a model version, and every customer scored with it.
public struct ValueModelFitter: Sendable {
    let store: SQLiteStore

    /// Creates a fitter over `store`.
    public init(store: SQLiteStore) { self.store = store }

    /// Runs the fit. `progress` receives stage names as they start.
    public func fit(
        _ options: StoreFitOptions,
        now: Date = Date(),
        progress: @Sendable (String) -> Void = { _ in }
    ) async throws(InsightsError) -> StoreFitOutcome {
        guard options.monthlyDiscountRate >= 0, options.monthlyDiscountRate < 1 else {
            throw InsightsError(
                .invalidOption,
                "the monthly discount rate must be in [0, 1), got \(options.monthlyDiscountRate)"
            )
        }
        let kinds =
            try options.model.map { identifier throws(InsightsError) in [try PurchaseModelKind(identifier: identifier)]
            }
            ?? PurchaseModelKind.allCases
        var stages: [String: Double] = [:]
        let clock = ContinuousClock()
        var started = clock.now
        func lap(_ stage: String) {
            stages[stage, default: 0] += Self.seconds(clock.now - started)
            started = clock.now
        }
        progress("summarising purchases in the store")
        // One pass over the store gives every customer's summary as of the cut-off: scoring needs them
        // one by one, so the final fit groups them in memory instead of a second GROUP BY pass. Without
        // an as-of day, everything is read and the last purchase day becomes the cut-off.
        let summaries = try await storeCall {
            try await store.purchaseSummaries(asOfDay: options.asOfDay ?? Int(Int32.max))
        }
        guard let firstDay = summaries.map(\.firstDay).min(), let lastDay = summaries.map(\.lastDay).max() else {
            guard let range = try await storeCall({ try await store.purchaseDayRange() }) else {
                throw InsightsError(.insufficientData, "the store holds no transactions: import or ingest orders first")
            }
            throw InsightsError(
                .invalidOption,
                "the as-of day \(CalendarDate(dayNumber: options.asOfDay ?? 0)) is before the first purchase (\(CalendarDate(dayNumber: range.lowerBound)))"
            )
        }
        let asOfDay = options.asOfDay ?? lastDay
        lap("summaries")
        let span = asOfDay - firstDay
        let holdoutDays = options.holdoutDays ?? min(365, span / 3)
        guard holdoutDays >= 0, holdoutDays < span || holdoutDays == 0 else {
            throw InsightsError(
                .invalidOption,
                "a holdout of \(holdoutDays) days leaves no calibration data (the data span \(span) days)"
            )
        }
        var warnings: [String] = []
        var candidates: [CandidateFit] = []
        var selection: String
        var comparisonSample: Int?
        if holdoutDays > 0 {
            let calibrationEnd = asOfDay - holdoutDays
            let ranges = CustomerSample.ranges(
                ids: summaries.map(\.customerId),
                target: options.comparisonSampleCustomers
            )
            let groups = try await groups(
                asOfDay: calibrationEnd,
                holdoutEndDay: asOfDay,
                unit: options.timeUnit,
                customerRanges: ranges
            )
            if ranges != nil { comparisonSample = groups.reduce(0) { $0 + $1.customers } }
            lap("summaries")
            progress("comparing \(kinds.map(\.rawValue).joined(separator: ", ")) on a \(holdoutDays)-day holdout")
            for kind in kinds {
                do {
                    candidates.append(try kind.fit(groups: groups, unit: options.timeUnit, holdoutDays: holdoutDays))
                } catch {
                    warnings.append("\(kind.rawValue) could not be fitted on the calibration period: \(error)")
                }
            }
            lap("comparison fits")
            let best = Self.bestOnHoldout(candidates)
            selection =
                best.map {
                    "lowest holdout error per customer (\(Self.format($0.holdoutError ?? 0)) purchases) over a \(holdoutDays)-day holdout"
                        + (comparisonSample.map { " (compared on a sample of \($0) customers)" } ?? "")
                } ?? "no candidate converged on the calibration period"
            if options.model == nil, let best { selection = "\(best.model): " + selection }
        } else {
            selection = "compared on BIC over all data (no holdout)"
        }
        let groups = Self.groups(summaries, asOfDay: asOfDay, unit: options.timeUnit)
        progress("fitting on all data up to \(CalendarDate(dayNumber: asOfDay))")
        var finals: [CandidateFit] = []
        var finalKinds = kinds
        if holdoutDays > 0, let best = Self.bestOnHoldout(candidates) {
            finalKinds = kinds.filter { $0.rawValue == best.model }
        }
        for kind in finalKinds {
            do {
                finals.append(try kind.fit(groups: groups, unit: options.timeUnit, holdoutDays: 0))
            } catch {
                warnings.append("\(kind.rawValue) could not be fitted: \(error)")
            }
        }
        lap("final fit")
        if holdoutDays == 0 {
            candidates = finals
        }
        guard let final = finals.filter(\.converged).min(by: { $0.bic < $1.bic }) ?? finals.first else {
            throw InsightsError(
                .fitFailed,
                warnings.isEmpty ? "no purchase model could be fitted" : warnings.joined(separator: "; ")
            )
        }
        if !final.converged { warnings.append("\(final.model) did not converge; its scores are less reliable") }
        warnings += final.warnings
        if holdoutDays == 0, options.model == nil {
            selection = "\(final.model): lowest BIC over all data (no holdout)"
        }
        if options.model != nil { selection = "\(final.model): chosen by the user" }

        progress("fitting spend (Gamma-Gamma)")
        let spend = Self.fitSpend(summaries, warnings: &warnings)
        lap("spend fit")
        var version = ModelVersion(
            createdAt: now,
            purchaseModel: final.model,
            purchaseParameterNames: final.parameterNames,
            purchaseParameters: final.parameters,
            purchaseStandardErrors: final.standardErrors,
            spendParameters: spend?.model.parameters,
            spendStandardErrors: spend?.standardErrors,
            timeUnit: options.timeUnit.rawValue,
            dataCutoffDay: asOfDay,
            monthlyDiscountRate: options.monthlyDiscountRate,
            customers: summaries.count,
            metricsJSON: "{}",
            valueCutPoints: []
        )
        progress("scoring \(summaries.count) customers")
        let scorer = try ScoringModel(version: version)
        let estimates = scorer.estimateAll(summaries, asOfDay: asOfDay)
        version.valueCutPoints = ScoringModel.decileCutPoints(estimates.map(\.lifetimeValue3Years))
        lap("scoring")
        var comparison = FitComparison(
            calibrationEndDay: holdoutDays > 0 ? asOfDay - holdoutDays : nil,
            holdoutDays: holdoutDays,
            comparisonSample: comparisonSample,
            candidates: candidates,
            selection: selection,
            final: final,
            spendLogLikelihood: spend?.logLikelihood,
            spendCustomers: spend.map { Int($0.observations) },
            warnings: warnings,
            stageSeconds: stages
        )
        version.metricsJSON = Self.encode(comparison)
        // Saved inactive and activated once every score is written, so the active version's scores
        // are always complete.
        let saved = try await storeCall { [version] in try await store.saveModelVersion(version, activate: false) }
        var scored = 0
        if options.score {
            progress("writing \(summaries.count) scores")
            let model = try ScoringModel(version: saved)
            let scores = zip(summaries, estimates).map { summary, estimate in
                model.score(estimate, customerId: summary.customerId, at: now)
            }
            try await storeCall { try await store.saveScores(scores, reason: "batch") }
            scored = scores.count
            lap("writing scores")
            comparison.stageSeconds = stages
        }
        var snapshotId: Int64?
        if options.snapshot {
            progress("writing the snapshot as of \(CalendarDate(dayNumber: asOfDay))")
            let entries = zip(summaries, estimates).map { summary, estimate in
                let decile = ScoringModel.decile(of: estimate.lifetimeValue3Years, cutPoints: saved.valueCutPoints)
                return SnapshotEntry(
                    customerId: summary.customerId,
                    probabilityAlive: estimate.probabilityAlive,
                    lifetimeValue3Years: estimate.lifetimeValue3Years,
                    valueDecile: decile,
                    tier: ScoringModel.tier(ofDecile: decile)
                )
            }
            snapshotId = try await storeCall {
                try await store.saveSnapshot(asOfDay: asOfDay, modelVersionId: saved.id, entries: entries)
            }
            lap("writing the snapshot")
        }
        if options.activate {
            try await storeCall { try await store.activateModelVersion(saved.id) }
        }
        return StoreFitOutcome(version: saved, comparison: comparison, customersScored: scored, snapshotId: snapshotId)
    }

    /// The converged candidate with the lowest holdout error.
    static func bestOnHoldout(_ candidates: [CandidateFit]) -> CandidateFit? {
        candidates.filter(\.converged).min { ($0.holdoutError ?? .infinity) < ($1.holdoutError ?? .infinity) }
    }

    private func groups(
        asOfDay: Int,
        holdoutEndDay: Int?,
        unit: TimeUnit,
        customerRanges: [ClosedRange<Int64>]?
    ) async throws(InsightsError) -> [HistoryGroupRow] {
        let groups = try await storeCall {
            try await store.purchaseHistoryGroups(
                asOfDay: asOfDay,
                holdoutEndDay: holdoutEndDay,
                customerRanges: customerRanges
            )
        }
        return groups.map { group in
            HistoryGroupRow(
                history: PurchaseHistory(
                    frequency: group.repeatPurchases,
                    recency: Double(group.recencyDays) / unit.days,
                    age: Double(group.ageDays) / unit.days
                ),
                customers: group.customers,
                holdoutPurchases: group.holdoutPurchases
            )
        }
    }

    /// The unique (x, t_x, T) histories of `summaries` with their counts, in `unit`.
    static func groups(_ summaries: [PurchaseSummary], asOfDay: Int, unit: TimeUnit) -> [HistoryGroupRow] {
        var counts: [PurchaseHistoryKey: Int] = [:]
        for summary in summaries {
            let key = PurchaseHistoryKey(
                repeatPurchases: summary.repeatPurchases,
                recencyDays: summary.lastDay - summary.firstDay,
                ageDays: asOfDay - summary.firstDay
            )
            counts[key, default: 0] += 1
        }
        return counts.sorted {
            ($0.key.repeatPurchases, $0.key.recencyDays, $0.key.ageDays) < (
                $1.key.repeatPurchases, $1.key.recencyDays, $1.key.ageDays
            )
        }
        .map { key, count in
            HistoryGroupRow(
                history: PurchaseHistory(
                    frequency: key.repeatPurchases,
                    recency: Double(key.recencyDays) / unit.days,
                    age: Double(key.ageDays) / unit.days
                ),
                customers: count,
                holdoutPurchases: 0
            )
        }
    }

    /// Gamma-Gamma on the customers with repeat purchases and positive spend, or `nil` (with a
    /// warning) when it cannot be fitted.
    static func fitSpend(_ summaries: [PurchaseSummary], warnings: inout [String]) -> ModelFit<GammaGamma>? {
        let histories = summaries.lazy.filter { $0.repeatPurchases > 0 && $0.meanRepeatSpend > 0 }
            .map { SpendHistory(frequency: $0.repeatPurchases, meanSpend: $0.meanRepeatSpend) }
        do {
            let fit = try GammaGamma.fit(try CompressedSpend(histories))
            if fit.model.q <= 1 {
                warnings.append(
                    "Gamma-Gamma q ≤ 1 (no finite population mean spend); spend uses each customer's own mean"
                )
                return nil
            }
            return fit
        } catch {
            warnings.append("spend model not fitted (\(error)); spend uses each customer's own mean")
            return nil
        }
    }

    func storeCall<T: Sendable>(_ body: @Sendable () async throws -> T) async throws(InsightsError) -> T {
        try await InsightsError.wrapping(body)
    }

    static func encode(_ comparison: FitComparison) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf",
            negativeInfinity: "-inf",
            nan: "nan"
        )
        return (try? encoder.encode(comparison)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// Decodes the comparison stored with `version`, or `nil` for an older or foreign document.
    public static func comparison(of version: ModelVersion) -> FitComparison? {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf",
            negativeInfinity: "-inf",
            nan: "nan"
        )
        return try? decoder.decode(FitComparison.self, from: Data(version.metricsJSON.utf8))
    }

    static func format(_ value: Double) -> String { String(format: "%.4f", value) }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
