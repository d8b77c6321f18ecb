import CustomerValue
import Foundation
import PatronStorage
import Testing

@testable import PatronInsights

/// Fitting on the store reproduces the published CDNOW fits, compares the candidates on a holdout,
/// saves a model version and scores every customer with it.
@Suite struct ValueModelFitterTests {
    static let calibrationEnd = InsightsTestStore.day(1997, 9, 30)
    static let observationEnd = InsightsTestStore.day(1998, 6, 30)

    func cdnowStore() async throws -> InsightsTestStore {
        let test = try InsightsTestStore()
        try await test.load(try InsightsTestStore.cdnowTransactions())
        return test
    }

    @Test func bgnbdOnTheStoreReproducesThePublishedFit() async throws {
        let test = try await cdnowStore()
        let outcome = try await ValueModelFitter(store: test.store).fit(
            StoreFitOptions(model: "bgnbd", asOfDay: Self.calibrationEnd, holdoutDays: 0, timeUnit: .weeks)
        )
        // REFERENCE.md, BG/NBD on CDNOW (R BTYD / CLVTools): relative 1e-3 on parameters, LL to 0.01.
        let published = [0.24259, 4.41359, 0.79292, 2.42589]
        for (fitted, expected) in zip(outcome.version.purchaseParameters, published) {
            #expect(abs(fitted / expected - 1) < 1e-3)
        }
        #expect(abs(outcome.comparison.final.logLikelihood - -9582.429) < 0.01)
        #expect(outcome.version.purchaseModel == "bgnbd")
        #expect(outcome.version.customers == 2357)
        #expect(outcome.customersScored == 2357)
        #expect(outcome.comparison.selection.contains("chosen by the user"))
        // Gamma-Gamma on the 946 repeat customers (REFERENCE.md: p 6.25, q 3.74, γ 15.44, 2 decimals).
        let spend = try #require(outcome.version.spendParameters)
        #expect(outcome.comparison.spendCustomers == 946)
        for (fitted, expected) in zip(spend, [6.25, 3.74, 15.44]) { #expect(abs(fitted - expected) < 0.01) }
    }

    @Test func candidatesAreComparedOnTheHoldoutAndTheBestIsKept() async throws {
        let test = try await cdnowStore()
        let outcome = try await ValueModelFitter(store: test.store).fit(
            StoreFitOptions(asOfDay: Self.observationEnd, holdoutDays: Self.observationEnd - Self.calibrationEnd)
        )
        let comparison = outcome.comparison
        let reference = try RFMSummary(
            transactions: try InsightsTestStore.cdnowTransactions().map {
                Transaction(customerID: $0.customer, date: $0.date, amount: $0.amount)
            },
            calibrationEnd: CalendarDate(dayNumber: Self.calibrationEnd),
            timeUnit: .weeks
        )
        #expect(comparison.calibrationEndDay == Self.calibrationEnd)
        #expect(Set(comparison.candidates.map(\.model)) == ["bgnbd", "mbgnbd", "pnbd"])
        // The calibration fits are the published ones (REFERENCE.md, LL to 0.01).
        let published = ["bgnbd": -9582.429, "pnbd": -9594.976, "mbgnbd": -9582.13]
        for candidate in comparison.candidates {
            #expect(abs(candidate.logLikelihood - published[candidate.model]!) < 0.01, "\(candidate.model)")
            #expect(candidate.holdoutActual == 1882)  // REFERENCE.md: 1,882 holdout purchase days
            // The predicted holdout total is Σ E[X(39 weeks) | x, t_x, T] over the customers,
            // recomputed here from the in-memory reference summary (relative 1e-9).
            let model: any RepeatPurchaseModel =
                switch candidate.model {
                case "bgnbd": try BetaGeometricNBD(parameters: candidate.parameters)
                case "mbgnbd": try ModifiedBetaGeometricNBD(parameters: candidate.parameters)
                default: try ParetoNBD(parameters: candidate.parameters)
                }
            let expected = reference.customers.reduce(0) { $0 + model.expectedPurchases(during: 39, given: $1.history) }
            #expect(abs(candidate.holdoutPredicted / expected - 1) < 1e-9, "\(candidate.model)")
            #expect(candidate.holdoutBuckets.map(\.label) == ["0", "1", "2", "3", "4", "5", "6", "7+"])
            #expect(candidate.holdoutBuckets.reduce(0) { $0 + $1.customers } == 2357)
            #expect(abs(candidate.aic - (8 - 2 * candidate.logLikelihood)) < 1e-9)
        }
        let best = try #require(comparison.candidates.min { $0.holdoutError! < $1.holdoutError! })
        #expect(outcome.version.purchaseModel == best.model)
        #expect(comparison.selection.hasPrefix(best.model))
        #expect(outcome.version.dataCutoffDay == Self.observationEnd)
        // The version is stored, active, and its comparison reads back.
        let active = try #require(try await test.store.activeModelVersion())
        #expect(active.id == outcome.version.id)
        #expect(ValueModelFitter.comparison(of: active)?.candidates.count == 3)
    }

    /// Above `comparisonSampleCustomers` the comparison runs on a sample spread over the id range
    /// (64 slices); the final fit and the scores still cover every customer.
    @Test func aLargeBaseIsComparedOnASample() async throws {
        let test = try await cdnowStore()
        let outcome = try await ValueModelFitter(store: test.store).fit(
            StoreFitOptions(
                asOfDay: Self.observationEnd,
                holdoutDays: Self.observationEnd - Self.calibrationEnd,
                comparisonSampleCustomers: 600
            )
        )
        let sample = try #require(outcome.comparison.comparisonSample)
        // 64 slices of rounded width: within 64 customers of the target.
        #expect(abs(sample - 600) <= 64, "sample of \(sample)")
        for candidate in outcome.comparison.candidates {
            #expect(candidate.customers == sample)
            #expect(candidate.holdoutBuckets.reduce(0) { $0 + $1.customers } == sample)
        }
        #expect(outcome.comparison.selection.contains("compared on a sample of \(sample) customers"))
        #expect(outcome.comparison.final.customers == 2357)
        #expect(outcome.customersScored == 2357)
        // Ranges cover the id space evenly: the sample holds early and late customers alike.
        let summaries = try await test.store.purchaseSummaries(asOfDay: Self.observationEnd)
        let ranges = try #require(CustomerSample.ranges(ids: summaries.map(\.customerId), target: 600))
        #expect(ranges.count == 64)
        #expect(CustomerSample.ranges(ids: summaries.map(\.customerId), target: 5_000) == nil)
    }

    @Test func scoresAgreeWithTheValuationCore() async throws {
        let test = try await cdnowStore()
        let outcome = try await ValueModelFitter(store: test.store).fit(
            StoreFitOptions(model: "bgnbd", asOfDay: Self.calibrationEnd, holdoutDays: 0, monthlyDiscountRate: 0.01)
        )
        let summaries = try await test.store.purchaseSummaries(asOfDay: Self.calibrationEnd)
        let model = try BetaGeometricNBD(parameters: outcome.version.purchaseParameters)
        let spend = try GammaGamma(parameters: try #require(outcome.version.spendParameters))
        // CLV over 12 and 36 months by CustomerValuation (tested against lifetimes), relative 1e-9.
        for summary in summaries.prefix(50) {
            let history = PurchaseHistory(
                frequency: summary.repeatPurchases,
                recency: Double(summary.lastDay - summary.firstDay) / 7,
                age: Double(Self.calibrationEnd - summary.firstDay) / 7
            )
            let score = try #require(try await test.store.score(customerId: summary.customerId))
            #expect(score.modelVersionId == outcome.version.id)
            #expect(abs(score.probabilityAlive - model.probabilityAlive(history)) < 1e-12)
            #expect(
                abs(score.expectedPurchases365Days - model.expectedPurchases(during: 365.0 / 7, given: history)) < 1e-9
            )
            for months in [12.0, 36.0] {
                let valuation = CustomerValuation(
                    model: model,
                    spendModel: spend,
                    horizon: months * 30.4375 / 7,
                    timeUnit: .weeks,
                    discounting: .monthly(rate: 0.01)
                )
                let expected = try #require(
                    valuation.predict(history, meanSpend: summary.meanRepeatSpend).lifetimeValue
                )
                let actual = months == 12 ? score.lifetimeValue1Year : score.lifetimeValue3Years
                #expect(abs(actual / expected - 1) < 1e-9)
            }
        }
        // Deciles split the base in tenths by 3-year CLV (ties aside) and tiers follow them.
        let scores = try await test.store.scores(limit: 10_000)
        #expect(scores.count == 2357)
        #expect(scores.first!.valueDecile == 10 && scores.first!.tier == "top")
        #expect(scores.last!.valueDecile == 1 && scores.last!.tier == "low")
        let top = scores.filter { $0.valueDecile == 10 }.count
        #expect(abs(top - 236) <= 2)
        #expect(zip(scores, scores.dropFirst()).allSatisfy { $0.valueDecile >= $1.valueDecile })
        #expect(try await test.store.scoreHistory(customerId: scores[0].customerId).map(\.reason) == ["batch"])
    }

    @Test func decilesAndTiers() {
        #expect(ScoringModel.decileCutPoints((1...100).map(Double.init)) == [10, 20, 30, 40, 50, 60, 70, 80, 90])
        #expect(ScoringModel.tier(ofDecile: 10) == "top")
        #expect(ScoringModel.tier(ofDecile: 8) == "high")
        #expect(ScoringModel.tier(ofDecile: 5) == "medium")
        #expect(ScoringModel.tier(ofDecile: 4) == "low")
    }

    @Test func clearErrors() async throws {
        let empty = try InsightsTestStore()
        let fitter = ValueModelFitter(store: empty.store)
        await #expect { try await fitter.fit(StoreFitOptions()) } throws: { error in
            (error as? InsightsError)?.code == .insufficientData && "\(error)".contains("no transactions")
        }
        let test = try await cdnowStore()
        let loaded = ValueModelFitter(store: test.store)
        await #expect { try await loaded.fit(StoreFitOptions(model: "xyz")) } throws: { error in
            (error as? InsightsError)?.code == .invalidOption && "\(error)".contains("bgnbd, mbgnbd, pnbd")
        }
        await #expect { try await loaded.fit(StoreFitOptions(holdoutDays: 5000)) } throws: { error in
            (error as? InsightsError)?.code == .invalidOption && "\(error)".contains("holdout of 5000 days")
        }
        await #expect { try await loaded.fit(StoreFitOptions(monthlyDiscountRate: 1.5)) } throws: { error in
            (error as? InsightsError)?.code == .invalidOption && "\(error)".contains("discount rate")
        }
        await #expect { try await loaded.fit(StoreFitOptions(asOfDay: InsightsTestStore.day(1990, 1, 1))) } throws: {
            error in
            (error as? InsightsError)?.code == .invalidOption
                && "\(error)".contains("before the first purchase (1997-01-01)")
        }
        #expect(try await test.store.activeModelVersion() == nil)
    }
}
