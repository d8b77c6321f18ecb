import CustomerValue
import Foundation
import PatronInsights
import PatronStorage
import Testing

/// The simulated business goes through the real ingest and processing paths and carries its
/// channel truth into the reports.
struct BusinessSimulationTests {
    @Test func aSimulatedBusinessFeedsROIAndValue() async throws {
        let test = try InsightsTestStore()
        let simulation = BusinessSimulation(customers: 600, months: 18, seed: 3)
        let outcome = try await simulation.run(into: test.store)
        #expect(outcome.customers == 600)
        #expect(outcome.customersByChannel.values.reduce(0, +) == 600)
        #expect(outcome.orders > 600)
        #expect(try await test.store.ingestStatus().pendingEvents == 0)

        // Every acquired customer buys on arrival and spend is cost × customers acquired, so the CAC
        // of each paid channel is exactly its configured cost (relative 1e-12); direct has no spend.
        let roi = try await ROIReport.build(store: test.store)
        for channel in SimulatedChannel.defaults {
            let row = try #require(roi.channels.first { $0.channel == channel.name }, "\(channel.name)")
            #expect(row.customers == outcome.customersByChannel[channel.name])
            if channel.acquisitionCost > 0 {
                #expect(abs((row.acquisitionCost ?? 0) / channel.acquisitionCost - 1) < 1e-12)
            } else {
                #expect(row.acquisitionCost == nil)
            }
        }

        // Email customers (1.4× purchase rate, 0.6× dropout, 1.1× spend) are worth more than paid
        // social ones (0.8×, 1.6×, 0.8×) once the model has scored everyone.
        _ = try await ValueModelFitter(store: test.store).fit(
            StoreFitOptions(model: "pnbd", holdoutDays: 0, timeUnit: .days)
        )
        let scored = try await ROIReport.build(store: test.store)
        let email = try #require(scored.channels.first { $0.channel == "email" }?.predictedValuePerCustomer)
        let social = try #require(scored.channels.first { $0.channel == "paid social" }?.predictedValuePerCustomer)
        #expect(email > 1.5 * social)

        // The same seed writes the same business.
        let again = try InsightsTestStore()
        let repeated = try await simulation.run(into: again.store)
        #expect(repeated.orders == outcome.orders)
        #expect(repeated.customersByChannel == outcome.customersByChannel)
    }
}
