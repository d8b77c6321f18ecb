import ArgumentParser
import PatronInsights

extension ReportCommand {
    /// `patron report drivers`.
    struct Drivers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "What drives customer value: a purchase model with covariates (acquisition channel, first-order value, "
                + "traits); each driver's effect on purchasing, dropout and CLV with 95 % intervals, ranked.",
            discussion: """
                Drivers: channel (first-touch acquisition channel), first-order-value (revenue of the first \
                purchase day, log scale, standardised) and trait:NAME (any CRM or identify trait; categorical, \
                or numeric when all values are numbers with more than ten distinct values). Categorical drivers \
                are compared with their most frequent level. Fitted on at most --max-customers customers (a \
                sample of 64 customer-id slices, i.e. spread over acquisition time, beyond that).
                """
        )

        @OptionGroup var database: DatabaseOptions

        @Option(name: .customLong("driver"), help: "A driver (repeatable): channel, first-order-value or trait:NAME.")
        var drivers: [String] = DriverSpecification.defaults.map(\.description)

        @Option(help: "Purchase model: bgnbd, mbgnbd or pnbd (default: the active model version's, else pnbd).")
        var model: String?

        @Option(help: "The as-of day, YYYY-MM-DD (default: the last purchase day).")
        var asOf: String?

        @Option(help: "Fit on at most this many customers (a sample spread over acquisition time beyond).")
        var maxCustomers = 100_000

        @Option(help: "Monthly discount rate of the CLV effects (month = 30.4375 days).")
        var discountRate = 0.01

        @Option(help: "CLV horizon in months.")
        var horizonMonths = 36

        @Option(help: "Draws from the estimates' sampling distribution for the intervals (0: none).")
        var draws = 400

        @Option(help: "Output format: table, json or csv (csv: the effects).")
        var format: OutputFormat = .table

        func validate() throws {
            guard maxCustomers >= 100 else {
                throw ValidationError("--max-customers must be ≥ 100, got \(maxCustomers)")
            }
            guard (0...100_000).contains(draws) else { throw ValidationError("--draws must be 0…100000, got \(draws)") }
            guard (1...600).contains(horizonMonths) else {
                throw ValidationError("--horizon-months must be 1…600, got \(horizonMonths)")
            }
            guard discountRate >= 0 && discountRate < 1 else {
                throw ValidationError("--discount-rate must be in [0, 1), got \(discountRate)")
            }
        }

        func run() async throws {
            let options = DriversOptions(
                drivers: try drivers.map { text throws(InsightsError) in try DriverSpecification(parsing: text) },
                model: try model.map { text throws(InsightsError) in try PurchaseModelKind(identifier: text) },
                asOfDay: try AsOfDay.parse(asOf),
                maximumCustomers: maxCustomers,
                monthlyDiscountRate: discountRate,
                horizonMonths: horizonMonths,
                draws: draws
            )
            let report = try await DriversReport.build(store: try database.open(), options: options)
            switch format {
            case .json: print(try EncodedJSON.text(report))
            case .csv: print(TableText.csv(headers: Self.headers, rows: report.effects.map(Self.row)))
            case .table: print(Self.table(report))
            }
        }

        static let headers = [
            "driver", "level", "reference", "customers", "purchase_x", "purchase_low", "purchase_high", "purchase_p",
            "dropout_x", "dropout_low", "dropout_high", "dropout_p", "spend_x", "clv_x", "clv_low", "clv_high",
            "clv_new_customer",
        ]

        static func row(_ effect: DriverEffect) -> [String] {
            [
                effect.driver, effect.level, effect.reference, TableText.count(Double(effect.customers)),
                TableText.number(effect.purchaseRate.estimate, digits: 4),
                TableText.number(effect.purchaseRate.low, digits: 4),
                TableText.number(effect.purchaseRate.high, digits: 4),
                TableText.number(effect.purchasePValue, digits: 3),
                TableText.number(effect.dropout.estimate, digits: 4), TableText.number(effect.dropout.low, digits: 4),
                TableText.number(effect.dropout.high, digits: 4), TableText.number(effect.dropoutPValue, digits: 3),
                TableText.number(effect.spendRatio, digits: 4),
                TableText.number(effect.lifetimeValue.estimate, digits: 4),
                TableText.number(effect.lifetimeValue.low, digits: 4),
                TableText.number(effect.lifetimeValue.high, digits: 4), TableText.number(effect.newCustomerValue),
            ]
        }

        static func interval(_ value: EffectInterval) -> String {
            let point = TableText.number(value.estimate, digits: 3)
            guard let low = value.low, let high = value.high else { return point }
            return "\(point) [\(TableText.number(low, digits: 3)), \(TableText.number(high, digits: 3))]"
        }

        static func table(_ report: DriversReport) -> String {
            var lines = [
                "Drivers of customer value: \(report.model) in \(report.timeUnit), \(TableText.count(Double(report.customers))) customers, as of \(report.asOf)",
                "Likelihood-ratio test against no drivers: χ² \(TableText.number(report.likelihoodRatio, digits: 4)), "
                    + "\(report.degreesOfFreedom) df, p \(TableText.number(report.likelihoodRatioPValue, digits: 3))",
                report.conventions,
                "",
                TableText.render(
                    headers: [
                        "driver", "level", "vs", "customers", "purchases ×", "p", "dropout ×", "p", "spend ×", "CLV ×",
                        "CLV new customer",
                    ],
                    rows: report.effects.map { effect in
                        [
                            effect.driver, effect.level, effect.reference, TableText.count(Double(effect.customers)),
                            interval(effect.purchaseRate), TableText.number(effect.purchasePValue, digits: 2),
                            interval(effect.dropout), TableText.number(effect.dropoutPValue, digits: 2),
                            TableText.number(effect.spendRatio, digits: 3), interval(effect.lifetimeValue),
                            TableText.number(effect.newCustomerValue),
                        ]
                    }
                ),
                "",
                "A new reference customer is worth \(TableText.number(report.referenceValue)) over the horizon.",
                "",
                "Does each driver matter? (joint Wald test)",
                TableText.render(
                    headers: ["driver", "chi2", "df", "p"],
                    rows: report.driverTests.map {
                        [
                            $0.driver, TableText.number($0.statistic, digits: 4), String($0.degreesOfFreedom),
                            TableText.number($0.pValue, digits: 3),
                        ]
                    }
                ),
            ]
            if !report.spendBySegment.isEmpty {
                lines += [
                    "",
                    "Spend per purchase by segment (Gamma-Gamma)",
                    TableText.render(
                        headers: ["driver", "level", "repeat customers", "observed mean", "model mean"],
                        rows: report.spendBySegment.map {
                            [
                                $0.driver, $0.level, TableText.count(Double($0.repeatCustomers)),
                                TableText.number($0.observedMeanSpend), TableText.number($0.modelMeanSpend),
                            ]
                        }
                    ),
                ]
            }
            if !report.warnings.isEmpty { lines += [""] + report.warnings.map { "warning: \($0)" } }
            return lines.joined(separator: "\n")
        }
    }
}
