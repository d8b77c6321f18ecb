import CustomerValue
import Foundation
import PatronStorage
import Testing

@testable import PatronInsights

/// The drivers report recovers the simulated business's known channel effects and finds no effect
/// where there is none.
struct DriversReportTests {
    /// 4,000 simulated customers over 24 months (seed 7). Truth, relative to paid search (the most
    /// frequent channel, purchase 1.0, dropout 1.3): purchase multiplier = channel rate / 1.0, dropout
    /// multiplier = channel dropout / 1.3. Tolerance: each coefficient within 4 of its standard errors
    /// of log(truth). The `region` trait is drawn independently of behaviour: its joint Wald test must
    /// not reject at 0.1 %, while channel's must reject at 1e-6.
    @Test func recoversTheSimulatedChannelEffects() async throws {
        let test = try InsightsTestStore()
        _ = try await BusinessSimulation(customers: 4_000, months: 24, seed: 7).run(into: test.store)
        let report = try await DriversReport.build(
            store: test.store,
            options: DriversOptions(drivers: [.channel, .trait("region")], model: .pnbd, draws: 200, timeUnit: .days)
        )
        #expect(report.model == "pnbd")
        #expect(report.customers > 3_500)
        #expect(report.likelihoodRatioPValue < 1e-6)
        let reference = try #require(SimulatedChannel.defaults.first { $0.name == "paid search" })
        for channel in SimulatedChannel.defaults where channel.name != reference.name {
            let column = "channel=\(channel.name)"
            let purchase = try #require(report.coefficients.first { $0.column == column && $0.process == "purchase" })
            let dropout = try #require(report.coefficients.first { $0.column == column && $0.process == "dropout" })
            let purchaseTruth = log(channel.purchaseRate / reference.purchaseRate)
            let dropoutTruth = log(channel.dropoutRate / reference.dropoutRate)
            let purchaseError = try #require(purchase.standardError)
            let dropoutError = try #require(dropout.standardError)
            #expect(
                abs(purchase.estimate - purchaseTruth) < 4 * purchaseError,
                "\(column) purchase \(purchase.estimate) vs \(purchaseTruth)"
            )
            #expect(
                abs(dropout.estimate - dropoutTruth) < 4 * dropoutError,
                "\(column) dropout \(dropout.estimate) vs \(dropoutTruth)"
            )
            let effect = try #require(report.effects.first { $0.driver == "channel" && $0.level == channel.name })
            #expect(effect.reference == "paid search")
            // The reported multipliers are exp(γ) with an interval around them.
            #expect(abs(effect.purchaseRate.estimate - exp(purchase.estimate)) < 1e-9)
            #expect(abs(effect.dropout.estimate - exp(dropout.estimate)) < 1e-9)
            let low = try #require(effect.lifetimeValue.low)
            let high = try #require(effect.lifetimeValue.high)
            #expect(low < effect.lifetimeValue.estimate && effect.lifetimeValue.estimate < high)
        }
        let channelTest = try #require(report.driverTests.first { $0.driver == "channel" })
        let regionTest = try #require(report.driverTests.first { $0.driver == "trait:region" })
        #expect(channelTest.pValue < 1e-6)
        #expect(regionTest.pValue > 0.001, "region has no true effect: p = \(regionTest.pValue)")
        // Email buys more, stays longer and spends more than paid search: worth more; paid social less.
        let email = try #require(report.effects.first { $0.level == "email" })
        let social = try #require(report.effects.first { $0.level == "paid social" })
        #expect(email.lifetimeValue.estimate > 1.5 && social.lifetimeValue.estimate < 0.8)
        #expect(email.spendRatio > 1 && social.spendRatio < 1)
        // Ranked by the size of the CLV effect.
        let sizes = report.effects.map { abs(log($0.lifetimeValue.estimate)) }
        #expect(sizes == sizes.sorted(by: >))
        #expect(
            report.spendBySegment.contains { $0.driver == "channel" && $0.level == "email" && $0.modelMeanSpend != nil }
        )

        // Above --max-customers only a sample of id slices is read (about the limit, never more).
        let sampled = try await DriversReport.build(
            store: test.store,
            options: DriversOptions(drivers: [.channel], model: .pnbd, maximumCustomers: 1_000, draws: 0)
        )
        #expect(sampled.customers <= 1_000 && sampled.customers > 800, "\(sampled.customers)")
        #expect(sampled.customersAvailable == 4_000)
        #expect(sampled.warnings.contains { $0.contains("fitted on a sample of") })
        #expect(sampled.effects.allSatisfy { $0.lifetimeValue.low == nil })  // no draws, no intervals
    }

    /// Levels under 30 customers are pooled into `other`, the most frequent level is the reference,
    /// a driver with one level is left out with a warning, numeric drivers are standardised.
    @Test func designPoolsSmallLevelsAndStandardisesNumbers() {
        let summaries = (0..<100).map { index in
            PurchaseSummary(
                customerId: Int64(index),
                firstDay: 0,
                lastDay: index % 7,
                repeatPurchases: index % 3,
                firstRevenue: index < 50 ? 10 : 1_000,
                repeatRevenue: 0
            )
        }
        var channels: [Int64: String] = [:]
        for index in 0..<100 {
            channels[Int64(index)] = index < 60 ? "search" : index < 90 ? "email" : index < 95 ? "tv" : "radio"
        }
        let same = Dictionary(uniqueKeysWithValues: (0..<100).map { (Int64($0), "EU") })
        let design = DriverDesign.build(
            summaries: summaries,
            asOfDay: 10,
            unit: .days,
            drivers: [(.channel, channels), (.trait("market"), same), (.firstOrderValue, [:])]
        )
        #expect(design.columns.map(\.name) == ["channel=email", "channel=other", "first-order-value"])
        #expect(design.columns[0].reference == "search" && design.columns[1].customers == 10)
        #expect(design.warnings.contains { $0.contains("trait:market left out") })
        // Half the customers at log 10, half at log 1000: standardised to −1 and +1.
        let values = Set(design.groups.map { $0.covariates[2] })
        #expect(values == [-1, 1])
        #expect(design.groups.reduce(0) { $0 + $1.histories.customerCount } == 100)
    }

    @Test func badDriversAndEmptyStoresSayWhatIsWrong() async throws {
        #expect(throws: InsightsError.self) { try DriverSpecification(parsing: "colour") }
        #expect(try DriverSpecification(parsing: "trait:region") == .trait("region"))
        let test = try InsightsTestStore()
        await #expect(throws: InsightsError.self) { try await DriversReport.build(store: test.store) }
    }
}
