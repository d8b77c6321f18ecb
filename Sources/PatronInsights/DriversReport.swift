public import CustomerValue
import Foundation
import PatronNumerics
public import PatronStorage

/// A ratio with its 95 % interval (2.5th and 97.5th percentiles of draws from the estimate's
/// sampling distribution; `nil` without standard errors).
public struct EffectInterval: Sendable, Hashable, Codable {
    /// The point estimate.
    public var estimate: Double
    /// The lower bound.
    public var low: Double?
    /// The upper bound.
    public var high: Double?
}

/// One estimated coefficient γ of the covariate model.
public struct DriverCoefficient: Sendable, Hashable, Codable {
    /// The column (`channel=email`, `first-order-value`).
    public var column: String
    /// `purchase` or `dropout`.
    public var process: String
    /// The model parameter it shifts.
    public var parameter: String
    /// γ.
    public var estimate: Double
    /// Its standard error.
    public var standardError: Double?
    /// Two-sided Wald p-value of γ = 0.
    public var pValue: Double?
}

/// What one driver level (or one standard deviation of a numeric driver) does to a customer's
/// value, compared with the reference customer.
public struct DriverEffect: Sendable, Hashable, Codable {
    /// The driver (`channel`, `first-order-value`, `trait:region`).
    public var driver: String
    /// The level, or `+1 SD`.
    public var level: String
    /// The reference level, or `mean`.
    public var reference: String
    /// Customers at the level.
    public var customers: Int
    /// Multiplier of the mean purchase rate while active.
    public var purchaseRate: EffectInterval
    /// p-value that the level does not change purchasing.
    public var purchasePValue: Double?
    /// Multiplier of the mean dropout rate (Pareto/NBD) or dropout probability per purchase (BG/NBD,
    /// MBG/NBD); below 1 means customers stay longer.
    public var dropout: EffectInterval
    /// p-value that the level does not change dropout.
    public var dropoutPValue: Double?
    /// Mean spend per purchase of the level relative to the reference level (Gamma-Gamma by segment;
    /// 1 for numeric drivers).
    public var spendRatio: Double
    /// Multiplier of a new customer's discounted CLV.
    public var lifetimeValue: EffectInterval
    /// A new customer's discounted CLV at this level, everything else at the reference.
    public var newCustomerValue: Double
}

/// The joint Wald test that a driver changes nothing (all its coefficients zero).
public struct DriverTest: Sendable, Hashable, Codable {
    /// The driver.
    public var driver: String
    /// The Wald statistic.
    public var statistic: Double
    /// Its degrees of freedom.
    public var degreesOfFreedom: Int
    /// P(χ² > statistic).
    public var pValue: Double
}

/// Gamma-Gamma spend of one segment (a level of a categorical driver).
public struct SegmentSpend: Sendable, Hashable, Codable {
    /// The driver.
    public var driver: String
    /// The level.
    public var level: String
    /// Customers with repeat purchases in the segment (what Gamma-Gamma is fitted on).
    public var repeatCustomers: Int
    /// Their mean spend per repeat purchase day.
    public var observedMeanSpend: Double
    /// The model's population mean spend pγ/(q−1), when the fit has q > 1.
    public var modelMeanSpend: Double?
    /// Gamma-Gamma p, q, γ, when fitted.
    public var parameters: [Double]?
}

/// Options of the drivers report.
public struct DriversOptions: Sendable {
    /// The drivers.
    public var drivers: [DriverSpecification]
    /// The purchase model (default: the active model version's, else Pareto/NBD).
    public var model: PurchaseModelKind?
    /// The as-of day (default: the last purchase day in the store).
    public var asOfDay: Int?
    /// At most this many customers are fitted: beyond it a sample is read as 64 customer-id slices
    /// (spread over acquisition time), capped by a seeded random draw.
    public var maximumCustomers: Int
    /// Monthly discount rate of the CLV figures.
    public var monthlyDiscountRate: Double
    /// CLV horizon in months.
    public var horizonMonths: Int
    /// Draws for the intervals.
    public var draws: Int
    /// Seed of the sample and the draws.
    public var seed: UInt64
    /// The model's time unit.
    public var timeUnit: TimeUnit

    /// Creates options.
    public init(
        drivers: [DriverSpecification] = DriverSpecification.defaults,
        model: PurchaseModelKind? = nil,
        asOfDay: Int? = nil,
        maximumCustomers: Int = 100_000,
        monthlyDiscountRate: Double = 0.01,
        horizonMonths: Int = 36,
        draws: Int = 400,
        seed: UInt64 = 1,
        timeUnit: TimeUnit = .weeks
    ) {
        self.drivers = drivers
        self.model = model
        self.asOfDay = asOfDay
        self.maximumCustomers = maximumCustomers
        self.monthlyDiscountRate = monthlyDiscountRate
        self.horizonMonths = horizonMonths
        self.draws = draws
        self.seed = seed
        self.timeUnit = timeUnit
    }
}

/// What drives customer value: a purchase model with covariates fitted on the store, each driver's
/// effect on purchasing, dropout and CLV with intervals, ranked, and spend by segment.
public struct DriversReport: Sendable, Hashable, Codable {
    /// How the figures are defined.
    public var conventions: String
    /// The purchase model.
    public var model: String
    /// Its time unit.
    public var timeUnit: String
    /// The as-of day (YYYY-MM-DD).
    public var asOf: String
    /// Customers fitted.
    public var customers: Int
    /// Customers with purchases before the as-of day, or, when a sample was read, every customer in
    /// the store.
    public var customersAvailable: Int
    /// Base parameter names.
    public var parameterNames: [String]
    /// Base parameters: the reference customer (reference levels, numeric drivers at their mean).
    public var baseParameters: [Double]
    /// Their standard errors.
    public var baseStandardErrors: [Double]?
    /// Every coefficient.
    public var coefficients: [DriverCoefficient]
    /// Log-likelihood with covariates.
    public var logLikelihood: Double
    /// Log-likelihood of the same model without covariates.
    public var baselineLogLikelihood: Double
    /// 2(LL − LL₀).
    public var likelihoodRatio: Double
    /// Its degrees of freedom.
    public var degreesOfFreedom: Int
    /// P(χ² > LR).
    public var likelihoodRatioPValue: Double
    /// Joint test per driver.
    public var driverTests: [DriverTest]
    /// Effects, the largest change of CLV first.
    public var effects: [DriverEffect]
    /// Gamma-Gamma spend per level of each categorical driver.
    public var spendBySegment: [SegmentSpend]
    /// A new reference customer's discounted CLV (overall mean spend).
    public var referenceValue: Double
    /// What a user should know.
    public var warnings: [String]
    /// Seconds the report took.
    public var seconds: Double

    /// Builds the report from the store.
    public static func build(
        store: SQLiteStore,
        options: DriversOptions = DriversOptions()
    ) async throws(InsightsError)
        -> DriversReport
    {
        let clock = ContinuousClock()
        let started = clock.now
        guard options.maximumCustomers >= 100 else {
            throw InsightsError(.invalidOption, "--max-customers must be at least 100, got \(options.maximumCustomers)")
        }
        guard options.draws >= 0, options.horizonMonths > 0, options.monthlyDiscountRate >= 0 else {
            throw InsightsError(.invalidOption, "draws ≥ 0, horizon > 0 months and discount rate ≥ 0 are required")
        }
        guard !options.drivers.isEmpty else { throw InsightsError(.invalidOption, "name at least one driver") }
        let (summaries, available, asOfDay, attributes, kind) = try await InsightsError.wrapping {
            guard let range = try await store.purchaseDayRange() else {
                throw InsightsError(.insufficientData, "no transactions in the store")
            }
            let asOfDay = options.asOfDay ?? range.upperBound
            // Above the limit only a sample is read: id-range slices spread over acquisition time.
            let span = try await store.customerIdSpan()
            let ranges = span.flatMap {
                CustomerSample.ranges(
                    lowest: $0.ids.lowerBound,
                    highest: $0.ids.upperBound,
                    count: $0.customers,
                    target: options.maximumCustomers
                )
            }
            let read: [PurchaseSummary]
            if let ranges {
                read = try await store.purchaseSummaries(asOfDay: asOfDay, customerRanges: ranges)
            } else {
                read = try await store.purchaseSummaries(asOfDay: asOfDay)
            }
            let all = read.filter { $0.firstDay < asOfDay }
            var attributes: [(DriverSpecification, [Int64: String])] = []
            for driver in options.drivers {
                switch driver {
                case .channel: attributes.append((driver, try await store.acquisitionChannels()))
                case .firstOrderValue: attributes.append((driver, [:]))
                case .trait(let key): attributes.append((driver, try await store.traitValues(key: key)))
                }
            }
            let active = try await store.activeModelVersion().flatMap { PurchaseModelKind(rawValue: $0.purchaseModel) }
            return (
                sample(all, maximum: options.maximumCustomers, seed: options.seed),
                ranges == nil ? all.count : span?.customers ?? all.count, asOfDay, attributes,
                options.model ?? active ?? .pnbd
            )
        }
        guard summaries.contains(where: { $0.repeatPurchases > 0 }) else {
            throw InsightsError(.insufficientData, "no customer has a repeat purchase before the as-of day")
        }
        let design = DriverDesign.build(
            summaries: summaries,
            asOfDay: asOfDay,
            unit: options.timeUnit,
            drivers: attributes.map { ($0.0, $0.1) }
        )
        guard !design.columns.isEmpty else {
            throw InsightsError(
                .insufficientData,
                "no driver varies between customers: \(design.warnings.joined(separator: "; "))"
            )
        }
        var report: DriversReport
        do {
            switch kind {
            case .bgnbd: report = try analyze(BetaGeometricNBD.self, design, summaries, options)
            case .mbgnbd: report = try analyze(ModifiedBetaGeometricNBD.self, design, summaries, options)
            case .pnbd: report = try analyze(ParetoNBD.self, design, summaries, options)
            }
        } catch {
            throw InsightsError(.fitFailed, "\(kind.rawValue) with covariates: \(error.message)")
        }
        report.asOf = DayText.text(asOfDay)
        report.customersAvailable = available
        report.warnings = design.warnings + report.warnings
        if available > summaries.count {
            report.warnings.append(
                "fitted on a sample of \(summaries.count) of \(available) customers (64 slices of the id range, i.e. of acquisition time)"
            )
        }
        report.seconds = ValueModelFitter.seconds(clock.now - started)
        return report
    }

    /// A seeded random sample of at most `maximum` summaries, in store order.
    static func sample(_ summaries: [PurchaseSummary], maximum: Int, seed: UInt64) -> [PurchaseSummary] {
        guard summaries.count > maximum else { return summaries }
        var generator = SeededGenerator(seed: seed)
        var indices = Array(summaries.indices)
        indices.shuffle(using: &generator)
        return indices.prefix(maximum).sorted().map { summaries[$0] }
    }

    static func analyze<Model: CovariateLinkedModel>(
        _ type: Model.Type,
        _ design: DriverDesign,
        _ summaries: [PurchaseSummary],
        _ options: DriversOptions
    ) throws(CustomerValueError) -> DriversReport {
        let names = design.columns.map(\.name)
        let fit = try CovariateFit<Model>.fit(design.groups, covariateNames: names)
        let links = Model.covariateLinks
        var warnings = fit.warnings
        let spend = segmentSpend(design, summaries, warnings: &warnings)
        let overallSpend = spend.overall
        let zero = [Double](repeating: 0, count: names.count)
        let unit = options.timeUnit
        let discounting = Discounting.monthly(rate: options.monthlyDiscountRate)
        let horizon = Double(options.horizonMonths) * unit.unitsPerMonth
        func value(_ model: Model) -> Double {
            discounting.discountedPurchases(horizon: horizon, unit: unit, expected: model.expectedPurchases(during:))
        }
        func unitVector(_ column: Int) -> [Double] {
            var z = zero
            z[column] = 1
            return z
        }
        let spendRatios = design.columns.map { column in
            column.isCategorical
                ? (spend.byLevel[column.driver]?[column.level]?.mean ?? overallSpend)
                    / (spend.byLevel[column.driver]?[column.reference]?.mean ?? overallSpend) : 1
        }
        // Standard error of log(spend ratio): the relative standard errors of the two segment means.
        let spendRatioErrors = design.columns.map { column in
            guard column.isCategorical, let levels = spend.byLevel[column.driver] else { return 0.0 }
            let level = levels[column.level]?.relativeError ?? 0
            let reference = levels[column.reference]?.relativeError ?? 0
            return (level * level + reference * reference).squareRoot()
        }
        /// (purchase, dropout, CLV) ratios of every column at θ, with spend ratios `spendRatios`.
        func ratios(_ theta: [Double], _ spendRatios: [Double]) throws(CustomerValueError) -> [(Double, Double, Double)]
        {
            let reference = try CovariateFit<Model>.model(theta: theta, for: zero)
            let referenceValue = value(reference)
            var result: [(Double, Double, Double)] = []
            for column in names.indices {
                let model = try CovariateFit<Model>.model(theta: theta, for: unitVector(column))
                result.append(
                    (
                        model.purchaseRatio(to: reference), model.dropoutRatio(to: reference),
                        value(model) / referenceValue * spendRatios[column]
                    )
                )
            }
            return result
        }
        let point = try ratios(fit.estimate, spendRatios)
        var generator = SeededGenerator(seed: options.seed &+ 1)
        let drawn = (fit.thetaDraws(options.draws, seed: options.seed) ?? []).compactMap { theta in
            let spendDraws = zip(spendRatios, spendRatioErrors).map { ratio, error in
                ratio * exp(error * RandomVariates.standardNormal(using: &generator))
            }
            return try? ratios(theta, spendDraws)
        }
        func interval(_ column: Int, _ pick: ((Double, Double, Double)) -> Double) -> EffectInterval {
            let values = drawn.map { pick($0[column]) }.filter(\.isFinite).sorted()
            return EffectInterval(
                estimate: pick(point[column]),
                low: percentile(values, 0.025),
                high: percentile(values, 0.975)
            )
        }
        let referenceValue = value(fit.baseModel) * overallSpend
        let effects = design.columns.enumerated().map { index, column in
            let purchaseIndices = links.indices.filter { links[$0].process == .purchase }.map {
                fit.thetaIndex(link: $0, covariate: index)
            }
            let dropoutIndices = links.indices.filter { links[$0].process == .dropout }.map {
                fit.thetaIndex(link: $0, covariate: index)
            }
            let lifetime = interval(index) { $0.2 }
            return DriverEffect(
                driver: column.driver,
                level: column.level,
                reference: column.reference,
                customers: column.customers,
                purchaseRate: interval(index) { $0.0 },
                purchasePValue: fit.waldTest(indices: purchaseIndices)?.pValue,
                dropout: interval(index) { $0.1 },
                dropoutPValue: fit.waldTest(indices: dropoutIndices)?.pValue,
                spendRatio: spendRatios[index],
                lifetimeValue: lifetime,
                newCustomerValue: referenceValue * lifetime.estimate
            )
        }
        .sorted { abs(log($0.lifetimeValue.estimate)) > abs(log($1.lifetimeValue.estimate)) }
        var coefficients: [DriverCoefficient] = []
        for (linkIndex, link) in links.enumerated() {
            for (columnIndex, name) in names.enumerated() {
                let error = fit.coefficientErrors?[linkIndex][columnIndex]
                let estimate = fit.coefficients[linkIndex][columnIndex]
                coefficients.append(
                    DriverCoefficient(
                        column: name,
                        process: link.process.rawValue,
                        parameter: Model.parameterNames[link.parameterIndex],
                        estimate: estimate,
                        standardError: error,
                        pValue: error.map { Distributions.twoSidedNormalPValue(estimate / $0) }
                    )
                )
            }
        }
        var tests: [DriverTest] = []
        for driver in design.columns.map(\.driver).uniqued() {
            let indices = design.columns.indices.filter { design.columns[$0].driver == driver }.flatMap { column in
                links.indices.map { fit.thetaIndex(link: $0, covariate: column) }
            }
            if let test = fit.waldTest(indices: indices) {
                tests.append(
                    DriverTest(
                        driver: driver,
                        statistic: test.statistic,
                        degreesOfFreedom: test.degreesOfFreedom,
                        pValue: test.pValue
                    )
                )
            }
        }
        return DriversReport(
            conventions: conventions(model: Model.identifier, unit: unit, options: options),
            model: Model.identifier,
            timeUnit: unit.rawValue,
            asOf: "",
            customers: Int(fit.customers),
            customersAvailable: 0,
            parameterNames: Model.parameterNames,
            baseParameters: fit.baseModel.parameters,
            baseStandardErrors: fit.baseStandardErrors,
            coefficients: coefficients,
            logLikelihood: fit.logLikelihood,
            baselineLogLikelihood: fit.baselineLogLikelihood,
            likelihoodRatio: fit.likelihoodRatio,
            degreesOfFreedom: fit.degreesOfFreedom,
            likelihoodRatioPValue: fit.likelihoodRatioPValue,
            driverTests: tests.sorted { $0.pValue < $1.pValue },
            effects: effects,
            spendBySegment: spend.segments,
            referenceValue: referenceValue,
            warnings: warnings,
            seconds: 0
        )
    }

    static func conventions(model: String, unit: TimeUnit, options: DriversOptions) -> String {
        "Model \(model) with time-invariant covariates (CLVTools-style: purchase rate and dropout of each customer "
            + "scaled by exp(γᵀz)), fitted by maximum likelihood in \(unit.rawValue); categorical drivers are dummies "
            + "against their most frequent level (levels under \(DriverDesign.minimumLevelCustomers) customers pooled "
            + "as `other`), numeric drivers are standardised (first-order value on the log scale) and an effect is "
            + "that of +1 SD. Effects compare a new customer at the level with the reference customer: purchase "
            + "rate and dropout multipliers, and CLV = expected purchases over \(options.horizonMonths) months "
            + "discounted at \(options.monthlyDiscountRate * 100) % per month (month = 30.4375 days) × mean spend "
            + "(Gamma-Gamma per segment for categorical drivers). 95 % intervals: 2.5th–97.5th percentiles of "
            + "\(options.draws) draws from the estimates' asymptotic normal distribution, each spend ratio "
            + "drawn log-normally with the standard errors of the two segments' mean spend; "
            + "p-values: Wald tests; likelihood-ratio test against the model without covariates."
    }

    /// The value at quantile `q` of sorted `values` (linear interpolation), `nil` when empty.
    static func percentile(_ values: [Double], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let position = q * Double(values.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = Swift.min(lower + 1, values.count - 1)
        return values[lower] + (values[upper] - values[lower]) * (position - Double(lower))
    }

    /// A segment's mean spend per purchase and the relative standard error of the observed mean.
    struct SegmentMean {
        var mean: Double
        var relativeError: Double
    }

    /// Gamma-Gamma mean spend overall and per level of each categorical driver.
    static func segmentSpend(
        _ design: DriverDesign,
        _ summaries: [PurchaseSummary],
        warnings: inout [String]
    ) -> (overall: Double, byLevel: [String: [String: SegmentMean]], segments: [SegmentSpend]) {
        func meanSpend(_ members: [PurchaseSummary]) -> (SegmentMean, SegmentSpend) {
            let repeaters = members.filter { $0.repeatPurchases > 0 && $0.meanRepeatSpend > 0 }
            let count = Double(repeaters.count)
            let observed = repeaters.isEmpty ? 0 : repeaters.reduce(0) { $0 + $1.meanRepeatSpend } / count
            let squares = repeaters.reduce(0) { $0 + ($1.meanRepeatSpend - observed) * ($1.meanRepeatSpend - observed) }
            let relativeError = count > 1 && observed > 0 ? (squares / (count - 1) / count).squareRoot() / observed : 0
            var ignored: [String] = []
            let fit = repeaters.count >= 20 ? ValueModelFitter.fitSpend(repeaters, warnings: &ignored) : nil
            let modelled = fit?.model.populationMeanSpend
            return (
                SegmentMean(mean: modelled ?? observed, relativeError: relativeError),
                SegmentSpend(
                    driver: "",
                    level: "",
                    repeatCustomers: repeaters.count,
                    observedMeanSpend: observed,
                    modelMeanSpend: modelled,
                    parameters: fit?.model.parameters
                )
            )
        }
        let overall = meanSpend(summaries).0.mean
        var byLevel: [String: [String: SegmentMean]] = [:]
        var segments: [SegmentSpend] = []
        for (driver, levels, customerLevels) in design.levels {
            let members = Dictionary(grouping: summaries.indices, by: { customerLevels[$0] })
            for level in levels {
                var (mean, segment) = meanSpend((members[level] ?? []).map { summaries[$0] })
                if mean.mean <= 0 {
                    warnings.append("\(driver)=\(level): no repeat spend; the overall mean spend is used")
                    mean = SegmentMean(mean: overall, relativeError: 0)
                }
                segment.driver = driver
                segment.level = level
                byLevel[driver, default: [:]][level] = mean
                segments.append(segment)
            }
        }
        return (overall, byLevel, segments)
    }
}

extension Sequence where Element: Hashable {
    /// The elements in order, each once.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
