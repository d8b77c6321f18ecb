import ArgumentParser
import Foundation
import PatronInsights
import PatronStorage

/// `patron simulate business`: a seeded multi-channel business written through the store.
struct SimulateBusinessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "business",
        abstract: "Simulate a multi-channel business (seeded) into the store: visits, orders and marketing spend.",
        discussion: """
            Customers arrive from 2024-01-01 over --months months through five channels (paid search, paid \
            social, email, referral, direct) whose purchase rate, dropout rate, spend and acquisition cost \
            differ; orders follow Pareto/NBD in days with more orders in November and December and \
            Gamma-Gamma spend. Everything goes through the event path (identity, acquisition, transactions) \
            and monthly spend per channel is imported, so `patron fit` and every `patron report` work on it.

            Example:
              patron simulate business --customers 5000 --months 24 --seed 7 --database demo.sqlite
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Customers to acquire.")
    var customers = 5_000

    @Option(help: "Months to simulate, from 2024-01-01.")
    var months = 24

    @Option(help: "Random seed (the same seed writes the same business).")
    var seed: UInt64 = 7

    func validate() throws {
        guard (1...10_000_000).contains(customers) else { throw ValidationError("--customers must be 1…10,000,000") }
        guard (1...240).contains(months) else { throw ValidationError("--months must be 1…240") }
    }

    func run() async throws {
        let store = try database.open()
        let bar = ProgressBarBox(ProgressBar(label: "simulating", total: customers))
        let outcome = try await BusinessSimulation(customers: customers, months: months, seed: seed).run(into: store) {
            done,
            total in
            bar.update(done, note: "\(done)/\(total) customers")
        }
        bar.finish(note: "\(outcome.customers) customers")
        let rows = SimulatedChannel.defaults.map { channel in
            [
                channel.name, TableText.count(Double(outcome.customersByChannel[channel.name] ?? 0)),
                TableText.number(channel.purchaseRate), TableText.number(channel.dropoutRate),
                TableText.number(channel.spend), TableText.number(channel.acquisitionCost),
            ]
        }
        print(
            "Simulated \(TableText.count(Double(outcome.customers))) customers and \(TableText.count(Double(outcome.orders))) orders into \(database.path); the channels' truth:"
        )
        print(
            TableText.render(
                headers: ["channel", "customers", "purchase_rate×", "dropout_rate×", "spend×", "cost_per_customer"],
                rows: rows
            )
        )
        print(
            "Next: patron fit --database \(database.path) && patron report value|roi|cohorts --database \(database.path)"
        )
    }
}
