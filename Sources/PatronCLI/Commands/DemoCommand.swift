import ArgumentParser
import CustomerValue
import Foundation

/// `patron demo`: fits BG/NBD, Pareto/NBD and Gamma-Gamma to the bundled CDNOW sample and prints a
/// report a marketer can read, then runs a simulated multi-channel business through the store.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract:
            "Fit the CLV models to the bundled CDNOW sample, then value a simulated multi-channel business in a temporary store."
    )

    @Option(help: "Monthly discount rate for CLV.")
    var discountRate: Double = 0.01

    @Option(help: "Output format: table (the report) or json (the numbers behind it).")
    var format: OutputFormat = .table

    func run() async throws {
        let report = try CDNOWDemo.make(monthlyDiscountRate: discountRate)
        let business = try await BusinessDemo.make(monthlyDiscountRate: discountRate)
        if format == .json {
            print(OrderedJSON.object([("cdnow", report.json), ("business", business.json)]).rendered())
        } else {
            print(report.text + "\n" + business.text)
        }
    }
}

/// The CDNOW demo: data, fits and the report.
struct CDNOWDemo {
    var text: String
    var json: OrderedJSON

    /// Reads the bundled CDNOW sample (`master id, sample id, YYYYMMDD, CDs, dollars`).
    static func transactions() throws -> [Transaction] {
        guard let url = Bundle.module.url(forResource: "CDNOW_sample", withExtension: "txt", subdirectory: "Resources")
        else {
            throw InputError("the bundled CDNOW sample is missing from the build (Resources/CDNOW_sample.txt)")
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(whereSeparator: \.isNewline).enumerated().map { number, line in
            let fields = line.split(separator: " ")
            guard fields.count == 5, let id = Int(fields[1]), let date = Int(fields[2]), let amount = Double(fields[4]),
                let day = CalendarDate(year: date / 10000, month: date / 100 % 100, day: date % 100)
            else { throw InputError(file: "CDNOW_sample.txt", line: number + 1, "malformed line") }
            return Transaction(customerID: String(id), date: day, amount: amount)
        }
    }

    static func make(monthlyDiscountRate: Double) throws -> CDNOWDemo {
        let summary = try RFMSummary(
            transactions: transactions(),
            calibrationEnd: CalendarDate(year: 1997, month: 9, day: 30),
            observationEnd: CalendarDate(year: 1998, month: 6, day: 30),
            timeUnit: .weeks
        )
        let data = summary.histories
        let bg = try BetaGeometricNBD.fit(data)
        let pareto = try ParetoNBD.fit(data)
        let spend = try GammaGamma.fit(CompressedSpend(summary.spendHistories))
        let holdout = summary.holdoutLength
        let year = 12 * TimeUnit.weeks.unitsPerMonth
        let discounting = Discounting.monthly(rate: monthlyDiscountRate)
        let valuation = CustomerValuation(
            model: bg.model,
            spendModel: spend.model,
            horizon: year,
            timeUnit: .weeks,
            discounting: discounting
        )
        let histories = summary.customers.map(\.history)
        let values = valuation.predictAll(histories, meanSpends: summary.customers.map(\.monetaryValue))
        var lines: [String] = []
        func section(_ title: String) {
            lines.append("")
            lines.append(title)
            lines.append(String(repeating: "=", count: title.count))
        }
        lines.append("Patron demo: customer value of the CDNOW sample")
        lines.append(
            "\(summary.customers.count) customers who first bought from CDNOW in Q1 1997; \(summary.customers.reduce(0) { $0 + $1.history.frequency }) repeat purchases in the calibration period (to \(summary.calibrationEnd)), \(summary.customers.reduce(0) { $0 + $1.holdoutFrequency }) in the \(TableText.number(holdout, digits: 3))-week holdout (to \(summary.observationEnd)). Time unit: weeks."
        )

        section("1. Models fitted (maximum likelihood, exact gradients)")
        func parameterRows<Model: LikelihoodModel>(
            _ fit: ModelFit<Model>,
            published: [Double],
            label: String
        ) -> [[String]] {
            zip(Model.parameterNames, zip(fit.model.parameters, published)).enumerated().map { index, item in
                [
                    index == 0 ? label : "", item.0, TableText.number(item.1.0, digits: 5),
                    TableText.number(fit.standardErrors?[index], digits: 3), TableText.number(item.1.1, digits: 5),
                ]
            }
        }
        var rows = parameterRows(bg, published: [0.243, 4.414, 0.793, 2.426], label: "BG/NBD")
        rows += parameterRows(pareto, published: [0.553, 10.578, 0.606, 11.669], label: "Pareto/NBD")
        rows += parameterRows(spend, published: [6.25, 3.74, 15.44], label: "Gamma-Gamma")
        lines.append(
            TableText.render(headers: ["model", "parameter", "Patron", "std. error", "published"], rows: rows)
        )
        lines.append(
            "Log-likelihood: BG/NBD \(TableText.formatted(bg.logLikelihood, decimals: 3)) (published −9582.4), Pareto/NBD \(TableText.formatted(pareto.logLikelihood, decimals: 3)) (−9595.0), Gamma-Gamma \(TableText.formatted(spend.logLikelihood, decimals: 2)) (−4055.92)."
        )
        lines.append(
            "Fit times: BG/NBD \(TableText.formatted(bg.seconds * 1000, decimals: 1)) ms, Pareto/NBD \(TableText.formatted(pareto.seconds * 1000, decimals: 1)) ms, Gamma-Gamma \(TableText.formatted(spend.seconds * 1000, decimals: 1)) ms."
        )

        section(
            "2. Holdout accuracy: purchases predicted vs. actual in the \(TableText.number(holdout, digits: 3))-week holdout"
        )
        var buckets: [(label: String, actual: Double, bg: Double, pareto: Double, customers: Int)] = (0...6).map {
            ("\($0)", 0, 0, 0, 0)
        }
        buckets.append(("7+", 0, 0, 0, 0))
        for customer in summary.customers {
            let slot = min(customer.history.frequency, 7)
            buckets[slot].customers += 1
            buckets[slot].actual += Double(customer.holdoutFrequency)
            buckets[slot].bg += bg.model.expectedPurchases(during: holdout, given: customer.history)
            buckets[slot].pareto += pareto.model.expectedPurchases(during: holdout, given: customer.history)
        }
        let totals = buckets.reduce(into: (actual: 0.0, bg: 0.0, pareto: 0.0)) {
            $0.actual += $1.actual
            $0.bg += $1.bg
            $0.pareto += $1.pareto
        }
        var holdoutRows = buckets.map { bucket in
            [
                bucket.label, String(bucket.customers),
                TableText.formatted(bucket.actual / Double(max(bucket.customers, 1)), decimals: 3),
                TableText.formatted(bucket.bg / Double(max(bucket.customers, 1)), decimals: 3),
                TableText.formatted(bucket.pareto / Double(max(bucket.customers, 1)), decimals: 3),
            ]
        }
        holdoutRows.append([
            "all", String(summary.customers.count), TableText.formatted(totals.actual, decimals: 0) + " total",
            TableText.formatted(totals.bg, decimals: 1) + " total",
            TableText.formatted(totals.pareto, decimals: 1) + " total",
        ])
        lines.append(
            TableText.render(
                headers: ["repeat purchases in calibration", "customers", "actual / customer", "BG/NBD", "Pareto/NBD"],
                rows: holdoutRows
            )
        )
        lines.append(
            "Total error: BG/NBD \(TableText.formatted(100 * (totals.bg - totals.actual) / totals.actual, decimals: 1)) %, Pareto/NBD \(TableText.formatted(100 * (totals.pareto - totals.actual) / totals.actual, decimals: 1)) %."
        )

        section("3. The 10 most valuable customers (BG/NBD + Gamma-Gamma, next 12 months)")
        let ranked = summary.customers.indices.sorted {
            (values[$0].lifetimeValue ?? 0) > (values[$1].lifetimeValue ?? 0)
        }
        let topRows = ranked.prefix(10).map { index in
            let customer = summary.customers[index]
            let value = values[index]
            return [
                customer.customerID, String(customer.history.frequency),
                TableText.formatted(customer.history.recency, decimals: 1),
                TableText.formatted(customer.history.age, decimals: 1),
                TableText.formatted(value.probabilityAlive, decimals: 3),
                TableText.formatted(value.expectedPurchases, decimals: 2),
                "$" + TableText.formatted(value.expectedSpend ?? 0, decimals: 2),
                "$" + TableText.formatted(value.lifetimeValue ?? 0, decimals: 2),
            ]
        }
        lines.append(
            TableText.render(
                headers: [
                    "customer", "x", "t_x (wk)", "T (wk)", "P(alive)", "purchases", "spend/purchase", "CLV 12 mo",
                ],
                rows: topRows
            )
        )
        lines.append("CLV: expected purchases over 12 months × expected spend per purchase, \(discounting.summary).")

        section("4. Value held by customers who are probably gone (P(alive) < 0.5)")
        let gone = summary.customers.indices.filter { values[$0].probabilityAlive < 0.5 }
        let repeaters = summary.customers.indices.filter { summary.customers[$0].history.frequency > 0 }
        let goneRepeaters = gone.filter { summary.customers[$0].history.frequency > 0 }
        let revenue = summary.customers.reduce(0) { $0 + $1.calibrationRevenue }
        let goneRevenue = gone.reduce(0) { $0 + summary.customers[$1].calibrationRevenue }
        let totalCLV = values.reduce(0) { $0 + ($1.lifetimeValue ?? 0) }
        let goneCLV = gone.reduce(0) { $0 + (values[$1].lifetimeValue ?? 0) }
        lines.append(
            "\(gone.count) of \(summary.customers.count) customers (\(goneRepeaters.count) of the \(repeaters.count) who came back at least once) are more likely gone than active."
        )
        lines.append(
            "They brought $\(TableText.formatted(goneRevenue, decimals: 0)) of the $\(TableText.formatted(revenue, decimals: 0)) calibration revenue (\(TableText.formatted(100 * goneRevenue / revenue, decimals: 1)) %), but hold only $\(TableText.formatted(goneCLV, decimals: 0)) of the $\(TableText.formatted(totalCLV, decimals: 0)) expected 12-month value (\(TableText.formatted(100 * goneCLV / totalCLV, decimals: 1)) %)."
        )
        lines.append(
            "Win-back campaigns should target the recent high spenders among them; the rest of the budget belongs to the customers in section 3."
        )

        let json = OrderedJSON.object([
            ("customers", .integer(summary.customers.count)),
            ("bgnbd", FitReport(bg, model: .bgnbd, timeUnit: .weeks, uniqueRows: data.rows.count).json),
            ("pnbd", FitReport(pareto, model: .pnbd, timeUnit: .weeks, uniqueRows: data.rows.count).json),
            ("gg", FitReport(spend, model: .gg, timeUnit: nil, uniqueRows: nil).json),
            (
                "holdout",
                .object([
                    ("weeks", .number(holdout)), ("actual", .number(totals.actual)), ("bgnbd", .number(totals.bg)),
                    ("pnbd", .number(totals.pareto)),
                ])
            ),
            (
                "probablyGone",
                .object([
                    ("customers", .integer(gone.count)), ("calibrationRevenue", .number(goneRevenue)),
                    ("clv12Months", .number(goneCLV)),
                ])
            ),
            ("totalCLV12Months", .number(totalCLV)),
        ])
        return CDNOWDemo(text: lines.joined(separator: "\n"), json: json)
    }
}
