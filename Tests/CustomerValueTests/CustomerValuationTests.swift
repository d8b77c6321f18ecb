import CustomerValue
import Foundation
import Testing

/// CLV discounting conventions and the bulk valuation.
struct CustomerValuationTests {
    let model = try! BetaGeometricNBD(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)
    let history = PurchaseHistory(frequency: 7, recency: 29.43, age: 38.86)

    @Test func zeroRateGivesTheUndiscountedExpectation() {
        for discounting in [Discounting.monthly(rate: 0), .continuous(monthlyRate: 0)] {
            let value = discounting.discountedPurchases(horizon: 52, unit: .weeks) {
                model.expectedPurchases(during: $0, given: history)
            }
            #expect(value == model.expectedPurchases(during: 52, given: history))
        }
    }

    /// The monthly form written out by hand: Σ (E[X(tᵢ)] − E[X(tᵢ₋₁)]) / 1.01ⁱ, tᵢ = i · 4.348125 weeks.
    @Test func monthlyFormDiscountsEachMonth() {
        let month = 30.4375 / 7
        var expected = 0.0
        for i in 1...12 {
            let increment =
                model.expectedPurchases(during: Double(i) * month, given: history)
                - model.expectedPurchases(during: Double(i - 1) * month, given: history)
            expected += increment / pow(1.01, Double(i))
        }
        let value = Discounting.monthly(rate: 0.01).discountedPurchases(horizon: 12 * month, unit: .weeks) {
            model.expectedPurchases(during: $0, given: history)
        }
        #expect(abs(value - expected) <= 1e-12 * expected)
    }

    /// For a constant purchase rate λ the continuous form is λ(1 − e^(−δH))/δ exactly.
    @Test func continuousFormIsExactForAConstantRate() {
        let rate = 0.3
        let delta = log(1.02) / (30.4375 / 7)
        let value = Discounting.continuous(monthlyRate: 0.02).discountedPurchases(horizon: 104, unit: .weeks) {
            rate * $0
        }
        #expect(abs(value - rate * (1 - exp(-delta * 104)) / delta) <= 1e-12 * value)
        // Monthly discounting charges each month's purchases a whole month's discount: a little less value.
        let monthly = Discounting.monthly(rate: 0.02).discountedPurchases(horizon: 104, unit: .weeks) { rate * $0 }
        #expect(monthly < value && monthly > 0.98 * value)
    }

    @Test func clvIsTheSameInDaysAndWeeks() throws {
        let daily = try BetaGeometricNBD(r: 0.243, alpha: 4.414 * 7, a: 0.793, b: 2.426)
        let dailyHistory = PurchaseHistory(frequency: 7, recency: 29.43 * 7, age: 38.86 * 7)
        let spend = try GammaGamma(p: 6.25, q: 3.74, gamma: 15.44)
        for discounting in [Discounting.monthly(rate: 0.01), .continuous(monthlyRate: 0.01)] {
            let weekly = CustomerValuation(
                model: model,
                spendModel: spend,
                horizon: 52,
                timeUnit: .weeks,
                discounting: discounting
            )
            .predict(history, meanSpend: 40)
            let days = CustomerValuation(
                model: daily,
                spendModel: spend,
                horizon: 364,
                timeUnit: .days,
                discounting: discounting
            )
            .predict(dailyHistory, meanSpend: 40)
            #expect(abs(weekly.probabilityAlive - days.probabilityAlive) <= 1e-12)
            #expect(
                abs(try #require(weekly.lifetimeValue) - (try #require(days.lifetimeValue))) <= 1e-9
                    * (weekly.lifetimeValue ?? 1)
            )
        }
    }

    @Test func bulkPredictionsEqualOneByOne() throws {
        let customers = try Fixtures.cdnow()
        let valuation = CustomerValuation(
            model: model,
            spendModel: try GammaGamma(p: 6.25, q: 3.74, gamma: 15.44),
            horizon: 52,
            timeUnit: .weeks,
            discounting: .monthly(rate: 0.01)
        )
        let bulk = valuation.predictAll(customers.map(\.history), meanSpends: customers.map(\.meanSpend))
        for (customer, prediction) in zip(customers, bulk) {
            #expect(prediction == valuation.predict(customer.history, meanSpend: customer.meanSpend))
        }
        // Customer 1 (x = 2, m̄ = 22.35): p(γ + x m̄)/(px + q − 1) = 24.66 at the rounded published parameters.
        #expect(bulk[0].expectedSpend.map { abs($0 - 24.66) < 0.005 } == true)
    }
}
