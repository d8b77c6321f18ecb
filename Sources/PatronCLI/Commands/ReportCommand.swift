import ArgumentParser
import CustomerValue
import Foundation
import PatronInsights
import PatronStorage

/// `patron report value|trend|drivers|rfm|cohorts|roi|models`: what the store's customers are worth, how they buy,
/// and which models say so.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract:
            "Reports over the store: customer value, trend, drivers of value, RFM segments, cohorts, ROI, model versions.",
        subcommands: [Value.self, Trend.self, Drivers.self, RFM.self, Cohorts.self, ROI.self, Models.self]
    )

    /// `patron report value`.
    struct Value: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Total customer-base value, by tier and value decile, and the top customers (run `patron fit` first)."
        )

        @OptionGroup var database: DatabaseOptions

        @Option(help: "How many top customers to list.")
        var top = 10

        @Option(help: "Output format: table, json or csv (csv: the deciles).")
        var format: OutputFormat = .table

        func validate() throws {
            guard (0...1000).contains(top) else { throw ValidationError("--top must be 0…1000, got \(top)") }
        }

        func run() async throws {
            let report = try await ValueReport.build(store: try database.open(), top: top)
            switch format {
            case .json: print(try EncodedJSON.text(report))
            case .csv: print(TableText.csv(headers: Self.groupHeaders, rows: report.deciles.map(Self.groupRow)))
            case .table: print(Self.table(report))
            }
        }

        static let groupHeaders = ["group", "customers", "clv_1y", "clv_3y", "purchases_365d", "mean_p_alive"]

        static func groupRow(_ group: ScoreGroup) -> [String] {
            [
                group.key, TableText.count(Double(group.customers)), TableText.number(group.lifetimeValue1Year),
                TableText.number(group.lifetimeValue3Years), TableText.number(group.expectedPurchases365Days),
                TableText.number(group.meanProbabilityAlive, digits: 3),
            ]
        }

        static func table(_ report: ValueReport) -> String {
            var lines = [
                "Customer value, model version \(report.model.id) (\(report.model.purchaseModel), fitted \(report.model.fittedAt.formatted(.iso8601)))",
                report.model.conventions,
                "",
                "customers scored       \(TableText.count(Double(report.customers)))",
                "likely active (P ≥ .5) \(TableText.count(Double(report.likelyActive)))",
                "CLV next 12 months     \(TableText.number(report.lifetimeValue1Year))",
                "CLV next 36 months     \(TableText.number(report.lifetimeValue3Years))",
                "purchases next 365 d   \(TableText.number(report.expectedPurchases365Days))",
                "top decile's share     \(TableText.number(report.topDecileShare * 100, digits: 3)) % of 36-month CLV",
                "",
                TableText.render(headers: ["tier"] + groupHeaders.dropFirst(), rows: report.tiers.map(groupRow)),
                "",
                TableText.render(headers: ["decile"] + groupHeaders.dropFirst(), rows: report.deciles.map(groupRow)),
            ]
            if !report.topCustomers.isEmpty {
                lines.append("")
                lines.append(
                    TableText.render(
                        headers: ["customer", "id", "p_alive", "purchases_365d", "clv_1y", "clv_3y", "tier"],
                        rows: report.topCustomers.map { top in
                            [
                                String(top.customerId), top.identifier ?? "",
                                TableText.number(top.score.probabilityAlive, digits: 3),
                                TableText.number(top.score.expectedPurchases365Days, digits: 4),
                                TableText.number(top.score.lifetimeValue1Year),
                                TableText.number(top.score.lifetimeValue3Years),
                                top.score.tier,
                            ]
                        }
                    )
                )
            }
            return lines.joined(separator: "\n")
        }
    }

    /// `patron report trend`.
    struct Trend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Customer-base value over the stored snapshots: total, new-customer value, churn, value at risk."
        )

        @OptionGroup var database: DatabaseOptions

        @Option(help: "Output format: table, json or csv.")
        var format: OutputFormat = .table

        func run() async throws {
            let report = try await TrendReport.build(store: try database.open())
            if format == .json { return print(try EncodedJSON.text(report)) }
            let headers = [
                "as_of", "customers", "total_clv_3y", "new_customers", "new_customer_value", "churned", "churned_value",
                "at_risk", "value_at_risk",
            ]
            let rows = report.points.map { point in
                let change = point.sincePrevious
                return [
                    point.asOf, TableText.count(Double(point.customers)), TableText.number(point.totalValue),
                    change.map { TableText.count(Double($0.newCustomers)) } ?? "",
                    TableText.number(change?.newCustomerValue),
                    change.map { TableText.count(Double($0.churnedCustomers)) } ?? "",
                    TableText.number(change?.churnedValue),
                    change.map { TableText.count(Double($0.atRiskCustomers)) } ?? "",
                    TableText.number(change?.valueAtRisk),
                ]
            }
            if format == .csv { return print(TableText.csv(headers: headers, rows: rows)) }
            print(report.conventions + "\n")
            print(TableText.render(headers: headers, rows: rows))
            if let moves = report.points.last?.sincePrevious?.tierMoves, let asOf = report.points.last?.asOf {
                let tiers = ["top", "high", "medium", "low"]
                print("\nTier moves into \(asOf) (rows: before, columns: after):")
                print(
                    TableText.render(
                        headers: ["before"] + tiers,
                        rows: tiers.map { before in
                            [before] + tiers.map { TableText.count(Double(moves[before]?[$0] ?? 0)) }
                        }
                    )
                )
            }
        }
    }

    /// `patron report rfm`.
    struct RFM: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rfm",
            abstract: "RFM scores in quintiles and the named segments (Champions, Loyal customers, At risk, …)."
        )

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The as-of day, YYYY-MM-DD (default: the last purchase day).")
        var asOf: String?

        @Option(help: "Output format: table, json or csv (csv: the segments).")
        var format: OutputFormat = .table

        func run() async throws {
            let day = try AsOfDay.parse(asOf)
            let report = try await RFMReport.build(store: try database.open(), asOfDay: day)
            let headers = [
                "segment", "customers", "share", "mean_recency_days", "mean_frequency", "mean_monetary", "revenue",
            ]
            let rows = report.segments.map { segment in
                [
                    segment.name, TableText.count(Double(segment.customers)),
                    TableText.number(segment.share, digits: 3),
                    TableText.number(segment.meanRecencyDays, digits: 4),
                    TableText.number(segment.meanFrequency, digits: 4),
                    TableText.number(segment.meanMonetary), TableText.number(segment.revenue),
                ]
            }
            switch format {
            case .json: print(try EncodedJSON.text(report))
            case .csv: print(TableText.csv(headers: headers, rows: rows))
            case .table:
                print("RFM segments of \(TableText.count(Double(report.customers))) customers as of \(report.asOf)")
                print(report.conventions + "\n")
                print(TableText.render(headers: headers, rows: rows))
                print("\nCustomers by recency score (rows, 5 = most recent) and frequency score (columns 1…5):")
                print(
                    TableText.render(
                        headers: ["R", "F1", "F2", "F3", "F4", "F5"],
                        rows: report.grid.enumerated().reversed().map { index, row in
                            ["R\(index + 1)"] + row.map { TableText.count(Double($0)) }
                        }
                    )
                )
            }
        }
    }

    /// `patron report cohorts`.
    struct Cohorts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Acquisition cohorts × months since acquisition: % active, revenue retained, cumulative revenue."
        )

        @OptionGroup var database: DatabaseOptions

        @Option(
            help:
                "What the table shows: active (% of the cohort buying), retained (revenue vs month 0) or cumulative (revenue per customer)."
        )
        var metric: CohortMetric = .active

        @Option(help: "Output format: table, json or csv (csv: one row per cohort and month).")
        var format: OutputFormat = .table

        enum CohortMetric: String, ExpressibleByArgument, CaseIterable {
            case active, retained, cumulative
        }

        func run() async throws {
            let report = try await CohortReport.build(store: try database.open())
            switch format {
            case .json: print(try EncodedJSON.text(report))
            case .csv:
                let rows = report.cohorts.flatMap { cohort in
                    cohort.periods.map { period in
                        [
                            cohort.month, String(cohort.customers), String(period.period),
                            TableText.number(period.activeShare), TableText.number(period.revenue),
                            TableText.number(period.revenueRetained),
                            TableText.number(period.cumulativeRevenuePerCustomer),
                            TableText.number(cohort.predictedValuePerCustomer),
                        ]
                    }
                }
                print(
                    TableText.csv(
                        headers: [
                            "cohort", "customers", "period", "active_share", "revenue", "revenue_retained",
                            "cumulative_revenue_per_customer", "predicted_clv_3y_per_customer",
                        ],
                        rows: rows
                    )
                )
            case .table:
                print(report.conventions + "\n")
                let width = report.cohorts.map(\.periods.count).max() ?? 0
                let rows = report.cohorts.map { cohort in
                    [
                        cohort.month, TableText.count(Double(cohort.customers)),
                        TableText.number(cohort.predictedValuePerCustomer, digits: 4),
                    ]
                        + (0..<width).map { index in
                            guard index < cohort.periods.count else { return "" }
                            let period = cohort.periods[index]
                            switch metric {
                            case .active: return TableText.formatted(period.activeShare * 100, decimals: 1) + "%"
                            case .retained: return TableText.formatted(period.revenueRetained * 100, decimals: 0) + "%"
                            case .cumulative:
                                return TableText.formatted(period.cumulativeRevenuePerCustomer, decimals: 2)
                            }
                        }
                }
                print(
                    TableText.render(
                        headers: ["cohort", "customers", "clv_3y"] + (0..<width).map { "m\($0)" },
                        rows: rows
                    )
                )
            }
        }
    }

    /// `patron report roi`.
    struct ROI: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "roi",
            abstract:
                "ROI per channel: customers acquired, CAC, revenue and predicted CLV per customer, LTV:CAC, payback."
        )

        @OptionGroup var database: DatabaseOptions

        @Flag(help: "One row per channel and acquisition month instead of per channel.")
        var byMonth = false

        @Option(help: "Output format: table, json or csv.")
        var format: OutputFormat = .table

        func run() async throws {
            let report = try await ROIReport.build(store: try database.open())
            if format == .json { return print(try EncodedJSON.text(report)) }
            let headers = [
                "channel", "month", "spend", "customers", "cac", "revenue_per_customer", "clv_3y_per_customer",
                "ltv_per_customer", "ltv_to_cac", "payback_months",
            ]
            let rows = (byMonth ? report.months : report.channels).map { row in
                [
                    row.channel, row.month ?? "all", TableText.number(row.spend),
                    TableText.count(Double(row.customers)),
                    TableText.number(row.acquisitionCost), TableText.number(row.revenuePerCustomer),
                    TableText.number(row.predictedValuePerCustomer), TableText.number(row.lifetimeValuePerCustomer),
                    TableText.number(row.lifetimeValueToCost, digits: 3), row.paybackMonths.map(String.init) ?? "",
                ]
            }
            if format == .csv { return print(TableText.csv(headers: headers, rows: rows)) }
            print(report.conventions + "\n")
            print(TableText.render(headers: headers, rows: rows))
        }
    }

    /// `patron report models`.
    struct Models: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The fitted model versions, newest first.")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "How many versions to list.")
        var limit = 20

        @Option(help: "Output format: table, json or csv.")
        var format: OutputFormat = .table

        func run() async throws {
            let versions = try await database.open().modelVersions(limit: limit)
            if format == .json {
                struct Entry: Encodable {
                    var version: ModelVersion
                    var comparison: FitComparison?
                }
                print(
                    try EncodedJSON.text(
                        versions.map { Entry(version: $0, comparison: ValueModelFitter.comparison(of: $0)) }
                    )
                )
                return
            }
            let headers = [
                "version", "model", "fitted_at", "data_cutoff", "unit", "customers", "log_likelihood", "selection",
            ]
            let rows = versions.map { version in
                let comparison = ValueModelFitter.comparison(of: version)
                return [
                    String(version.id), version.purchaseModel, version.createdAt.formatted(.iso8601),
                    CalendarDate(dayNumber: version.dataCutoffDay).description, version.timeUnit,
                    TableText.count(Double(version.customers)),
                    TableText.number(comparison?.final.logLikelihood, digits: 10), comparison?.selection ?? "",
                ]
            }
            print(
                format == .csv
                    ? TableText.csv(headers: headers, rows: rows) : TableText.render(headers: headers, rows: rows)
            )
        }
    }
}
