import ArgumentParser
import CustomerValue

/// `patron fit`: fits a model and prints its parameters, standard errors and fit facts; without a
/// file, fits on the store, saves a model version and scores every customer.
struct FitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit a customer-value model by maximum likelihood (on a file, or on the store).",
        discussion: """
            Without --summary, --transactions or --survivors, fits on the store (--database): purchase
            summaries grouped in SQL, BG/NBD, MBG/NBD and Pareto/NBD compared on a holdout period (or
            only --model), the best refitted on all data with Gamma-Gamma spend, saved as the active
            model version, and every customer scored (P(alive), expected purchases in 90/365 days,
            expected spend, CLV over 12/36 months, value decile and tier).

            Examples:
              patron fit
              patron fit --model pnbd --as-of 2025-12-31 --holdout-days 180 --discount-rate 0.01
              patron fit --model bgnbd --summary cdnow_customers_summary.csv
              patron fit --model pnbd --transactions orders.csv --calibration-end 2024-06-30 --time-unit days --format json
              patron fit --model gg --summary cdnow_customers_summary_with_transactions.csv
              patron fit --model bgbb --summary donations.csv
              patron fit --model sbg --survivors 1000,631,468,382,326,289,262,241
            """
    )

    @Option(
        help:
            "The model: \(ModelName.allCases.map(\.rawValue).joined(separator: ", ")) (on the store: bgnbd, mbgnbd or pnbd; default: compare them)."
    )
    var model: ModelName?

    @OptionGroup var input: InputOptions

    @Option(help: "sBG: survivors per period, starting with the cohort size (e.g. 1000,631,468).")
    var survivors: String?

    @OptionGroup var store: StoreFitArguments

    @Option(help: "Output format: table, json or csv.")
    var format: OutputFormat = .table

    /// Whether the data come from the store (no file given).
    var fitsOnStore: Bool { input.summary == nil && input.transactions == nil && survivors == nil }

    func validate() throws {
        guard store.comparisonSample >= 0 else {
            throw ValidationError("--comparison-sample must be ≥ 0 (0 = never sample), got \(store.comparisonSample)")
        }
        if fitsOnStore {
            if let model, ![ModelName.bgnbd, .mbgnbd, .pnbd].contains(model) {
                throw ValidationError(
                    "--model \(model.rawValue) needs its data in a file (--summary/--transactions or --survivors); the store fits bgnbd, mbgnbd or pnbd"
                )
            }
        } else if model == nil {
            throw ValidationError("give --model with --summary, --transactions or --survivors")
        }
    }

    func run() async throws {
        guard let model else {
            return try await store.run(model: nil, timeUnit: input.timeUnit, format: format)
        }
        if fitsOnStore {
            return try await store.run(model: model.rawValue, timeUnit: input.timeUnit, format: format)
        }
        let report = try Self.fit(model, input: input, survivors: survivors)
        switch format {
        case .json: print(report.json.rendered())
        case .table: print(report.table)
        case .csv:
            let rows = report.names.indices.map { index in
                [
                    report.names[index], "\(report.parameters[index])",
                    report.standardErrors.map { "\($0[index])" } ?? "",
                ]
            }
            print(TableText.csv(headers: ["parameter", "estimate", "standard_error"], rows: rows))
        }
    }

    static func fit(_ model: ModelName, input: InputOptions, survivors: String?) throws -> FitReport {
        switch model {
        case .bgnbd, .mbgnbd, .pnbd:
            let table = try CustomerTable.load(input)
            let data = table.compressed
            switch model {
            case .bgnbd:
                return FitReport(
                    try BetaGeometricNBD.fit(data),
                    model: model,
                    timeUnit: table.timeUnit,
                    uniqueRows: data.rows.count
                )
            case .mbgnbd:
                return FitReport(
                    try ModifiedBetaGeometricNBD.fit(data),
                    model: model,
                    timeUnit: table.timeUnit,
                    uniqueRows: data.rows.count
                )
            default:
                return FitReport(
                    try ParetoNBD.fit(data),
                    model: model,
                    timeUnit: table.timeUnit,
                    uniqueRows: data.rows.count
                )
            }
        case .gg:
            let data = try CustomerTable.load(input).spend()
            return FitReport(try GammaGamma.fit(data), model: model, timeUnit: nil, uniqueRows: data.rows.count)
        case .bgbb:
            let data = try OpportunityTable.load(input)
            return FitReport(
                try BetaGeometricBetaBinomial.fit(data.compressed),
                model: model,
                timeUnit: nil,
                uniqueRows: data.compressed.rows.count
            )
        case .sbg:
            let data = try SurvivalInput.load(survivors: survivors, input: input)
            return FitReport(try ShiftedBetaGeometric.fit(data), model: model, timeUnit: nil, uniqueRows: nil)
        }
    }
}
