import ArgumentParser
import CustomerValue

/// `patron fit`: fits a model and prints its parameters, standard errors and fit facts.
struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit a customer-value model by maximum likelihood.",
        discussion: """
            Examples:
              patron fit --model bgnbd --summary cdnow_customers_summary.csv
              patron fit --model pnbd --transactions orders.csv --calibration-end 2024-06-30 --time-unit days --format json
              patron fit --model gg --summary cdnow_customers_summary_with_transactions.csv
              patron fit --model bgbb --summary donations.csv
              patron fit --model sbg --survivors 1000,631,468,382,326,289,262,241
            """
    )

    @Option(help: "The model: \(ModelName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var model: ModelName

    @OptionGroup var input: InputOptions

    @Option(help: "sBG: survivors per period, starting with the cohort size (e.g. 1000,631,468).")
    var survivors: String?

    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table

    func validate() throws {
        if model != .sbg, input.summary == nil, input.transactions == nil {
            throw ValidationError("give the data with --summary FILE or --transactions FILE")
        }
    }

    func run() throws {
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
