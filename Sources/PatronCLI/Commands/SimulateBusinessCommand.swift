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

            With --url the business goes to a running `patron serve` instead (a load test): /v1/batch \
            requests of --batch-size events, --connections at once, retried until acknowledged; with \
            --admin-token the spend too (POST /api/v1/spend), then it waits until every event is processed \
            and reports events/s and request latency.

            Example:
              patron simulate business --customers 5000 --months 24 --seed 7 --database demo.sqlite
              patron simulate business --url http://127.0.0.1:8080 --write-key KEY --admin-token TOKEN
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Customers to acquire.")
    var customers = 5_000

    @Option(help: "Months to simulate, from 2024-01-01.")
    var months = 24

    @Option(help: "Random seed (the same seed writes the same business).")
    var seed: UInt64 = 7

    @Option(help: "Send to a running `patron serve` at this URL instead of writing the store (a load test).")
    var url: String?

    @Option(help: "With --url: the write key of the event source (env PATRON_WRITE_KEY).")
    var writeKey: String?

    @Option(
        help:
            "With --url: the admin token (env PATRON_ADMIN_TOKEN), to send the spend and wait until the server has processed every event."
    )
    var adminToken: String?

    @Option(help: "With --url: requests in flight at once.")
    var connections = 8

    @Option(help: "With --url: events per /v1/batch request.")
    var batchSize = 25

    @Option(help: "Output format of the summary: table or json.")
    var format: OutputFormat = .table

    func validate() throws {
        guard (1...10_000_000).contains(customers) else { throw ValidationError("--customers must be 1…10,000,000") }
        guard (1...240).contains(months) else { throw ValidationError("--months must be 1…240") }
        guard (1...256).contains(connections) else { throw ValidationError("--connections must be 1…256") }
        guard (1...2_500).contains(batchSize) else { throw ValidationError("--batch-size must be 1…2500") }
        if let url {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil
            else {
                throw ValidationError("--url must be an http(s) URL such as http://127.0.0.1:8080, got '\(url)'")
            }
            guard resolvedWriteKey != nil else {
                throw ValidationError(
                    "--url needs --write-key (or PATRON_WRITE_KEY): the server's write key of a source"
                )
            }
        }
    }

    var resolvedWriteKey: String? { writeKey ?? ProcessInfo.processInfo.environment["PATRON_WRITE_KEY"] }

    var resolvedAdminToken: String? { adminToken ?? ProcessInfo.processInfo.environment["PATRON_ADMIN_TOKEN"] }

    func run() async throws {
        let simulation = BusinessSimulation(customers: customers, months: months, seed: seed)
        let bar = ProgressBarBox(ProgressBar(label: "simulating", total: customers))
        let progress: @Sendable (Int, Int) -> Void = { done, total in
            bar.update(done, note: "\(done)/\(total) customers")
        }
        if let url, let base = URL(string: url), let key = resolvedWriteKey {
            let sink = HTTPBusinessSink(
                base: base,
                writeKey: key,
                adminToken: resolvedAdminToken,
                batchSize: batchSize,
                connections: connections
            )
            let outcome = try await simulation.run(into: sink, progress: progress)
            bar.finish(note: "\(outcome.customers) customers")
            return try await printLoadTest(outcome, sink.statistics, target: url)
        }
        let outcome = try await simulation.run(into: try database.open(), progress: progress)
        bar.finish(note: "\(outcome.customers) customers")
        if format == .json { return print(try EncodedJSON.text(Summary(outcome: outcome, load: nil))) }
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

    /// The JSON summary.
    struct Summary: Encodable {
        var customers: Int
        var orders: Int
        var spendRows: Int
        var customersByChannel: [String: Int]
        var load: Load?

        /// What the load test measured.
        struct Load: Encodable {
            var url: String
            var acknowledgedEvents: Int
            var requests: Int
            var retries: Int
            var connections: Int
            var batchSize: Int
            var sendingSeconds: Double?
            var eventsPerSecond: Double?
            var latencyP50Milliseconds: Double?
            var latencyP90Milliseconds: Double?
            var latencyP99Milliseconds: Double?
            var processedAfterSeconds: Double?
        }

        init(outcome: BusinessSimulation.Outcome, load: Load?) {
            customers = outcome.customers
            orders = outcome.orders
            spendRows = outcome.spendRows
            customersByChannel = outcome.customersByChannel
            self.load = load
        }
    }

    func printLoadTest(_ outcome: BusinessSimulation.Outcome, _ statistics: LoadStatistics, target: String) async throws
    {
        let sending = await statistics.sendingSeconds
        let events = await statistics.events
        let load = Summary.Load(
            url: target,
            acknowledgedEvents: events,
            requests: await statistics.requests,
            retries: await statistics.retries,
            connections: connections,
            batchSize: batchSize,
            sendingSeconds: sending,
            eventsPerSecond: sending.map { Double(events) / $0 },
            latencyP50Milliseconds: await statistics.latency(0.5),
            latencyP90Milliseconds: await statistics.latency(0.9),
            latencyP99Milliseconds: await statistics.latency(0.99),
            processedAfterSeconds: await statistics.processingSeconds
        )
        if format == .json { return print(try EncodedJSON.text(Summary(outcome: outcome, load: load))) }
        print(
            "Sent \(TableText.count(Double(outcome.customers))) customers, \(TableText.count(Double(outcome.orders))) orders to \(target): "
                + "\(TableText.count(Double(events))) events acknowledged in \(TableText.count(Double(load.requests))) requests "
                + "(\(batchSize) events each, \(connections) at once, \(load.retries) retried)."
        )
        print(
            "Durable ingest: \(TableText.number(load.eventsPerSecond, digits: 4)) events/s; request latency p50 "
                + "\(TableText.number(load.latencyP50Milliseconds, digits: 3)) ms, p90 \(TableText.number(load.latencyP90Milliseconds, digits: 3)) ms, "
                + "p99 \(TableText.number(load.latencyP99Milliseconds, digits: 3)) ms."
        )
        if let processed = load.processedAfterSeconds {
            print(
                "Every event processed \(TableText.number(processed, digits: 3)) s after the start; \(outcome.spendRows) spend rows imported."
            )
        } else {
            print("Spend not sent and processing not awaited: pass --admin-token for both.")
        }
    }
}
