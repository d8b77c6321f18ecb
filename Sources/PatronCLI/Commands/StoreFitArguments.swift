import ArgumentParser
import CustomerValue
import Foundation
import PatronInsights
import PatronSegments
import PatronStorage

/// The options of `patron fit` on the store, and how its outcome prints.
struct StoreFitArguments: ParsableArguments {
    @OptionGroup var database: DatabaseOptions

    @Option(help: "Store: the last day of data to use, YYYY-MM-DD (default: the last purchase day).")
    var asOf: String?

    @Option(
        help:
            "Store: days held out to compare the models (default: a third of the data span, at most 365; 0 = compare on BIC)."
    )
    var holdoutDays: Int?

    @Option(
        help:
            "Store: above this many customers, compare the models on a sample of about this many (spread over all acquisition periods; 0 = never sample)."
    )
    var comparisonSample = 100_000

    @Option(help: "Store: monthly discount rate of CLV figures (month = 30.4375 days).")
    var discountRate: Double = 0.01

    @Flag(inversion: .prefixedNo, help: "Store: make the new model version the active one.")
    var activate = true

    @Flag(inversion: .prefixedNo, help: "Store: score every customer with the new version.")
    var score = true

    func run(model: String?, timeUnit: TimeUnit, format: OutputFormat) async throws {
        let asOfDay = try AsOfDay.parse(asOf)
        let store = try database.open()
        try await store.processAll()
        let options = StoreFitOptions(
            model: model,
            asOfDay: asOfDay,
            holdoutDays: holdoutDays,
            timeUnit: timeUnit,
            monthlyDiscountRate: discountRate,
            activate: activate,
            score: score,
            comparisonSampleCustomers: comparisonSample
        )
        let showsProgress = isatty(STDERR_FILENO) == 1
        let outcome = try await ValueModelFitter(store: store).fit(options) { stage in
            if showsProgress { FileHandle.standardError.write(Data("… \(stage)\n".utf8)) }
        }
        // New active scores move customers in and out of score segments, as a refit in `patron serve` does.
        let segmentChanges =
            activate && outcome.customersScored > 0 ? try await store.refreshEverySegment().entriesAndExits : nil
        switch format {
        case .json:
            struct Output: Encodable {
                var version: ModelVersion
                var comparison: FitComparison
                var customersScored: Int
                var segmentChanges: Int?
            }
            print(
                try EncodedJSON.text(
                    Output(
                        version: outcome.version,
                        comparison: outcome.comparison,
                        customersScored: outcome.customersScored,
                        segmentChanges: segmentChanges
                    )
                )
            )
        case .csv:
            print(TableText.csv(headers: Self.candidateHeaders, rows: Self.candidateRows(outcome.comparison)))
        case .table:
            print(Self.table(outcome))
            if let segmentChanges { print("segments re-evaluated: \(segmentChanges) entries and exits") }
        }
    }

    static let candidateHeaders = [
        "model", "log_likelihood", "aic", "bic", "holdout_actual", "holdout_predicted", "holdout_error", "converged",
    ]

    static func candidateRows(_ comparison: FitComparison) -> [[String]] {
        comparison.candidates.map { candidate in
            [
                candidate.model, TableText.number(candidate.logLikelihood, digits: 8),
                TableText.number(candidate.aic, digits: 8),
                TableText.number(candidate.bic, digits: 8),
                comparison.holdoutDays > 0 ? TableText.number(candidate.holdoutActual) : "",
                comparison.holdoutDays > 0 ? TableText.number(candidate.holdoutPredicted) : "",
                TableText.number(candidate.holdoutError), candidate.converged ? "yes" : "no",
            ]
        }
    }

    static func table(_ outcome: StoreFitOutcome) -> String {
        let comparison = outcome.comparison
        let version = outcome.version
        var lines: [String] = []
        if let calibrationEnd = comparison.calibrationEndDay {
            lines.append(
                "Candidates fitted up to \(CalendarDate(dayNumber: calibrationEnd)), judged on the next \(comparison.holdoutDays) days:"
            )
        } else {
            lines.append("Candidates fitted on all data:")
        }
        lines.append(TableText.render(headers: candidateHeaders, rows: candidateRows(comparison)))
        if let best = comparison.candidates.first(where: { $0.model == version.purchaseModel }),
            !best.holdoutBuckets.isEmpty
        {
            lines.append("\nHoldout purchases per customer by calibration frequency (\(best.model)):")
            lines.append(
                TableText.render(
                    headers: ["x", "customers", "actual", "predicted"],
                    rows: best.holdoutBuckets.map {
                        [
                            $0.label, TableText.count(Double($0.customers)), TableText.number($0.actualMean, digits: 4),
                            TableText.number($0.predictedMean, digits: 4),
                        ]
                    }
                )
            )
        }
        lines.append("\nSelected: \(comparison.selection)")
        lines.append(
            "Model version \(version.id): \(version.purchaseModel) fitted on \(TableText.count(Double(comparison.final.customers))) customers up to \(CalendarDate(dayNumber: version.dataCutoffDay)), time unit \(version.timeUnit)"
        )
        let errors = version.purchaseStandardErrors
        lines.append(
            TableText.render(
                headers: ["parameter", "estimate", "standard_error"],
                rows: version.purchaseParameterNames.indices.map { index in
                    [
                        version.purchaseParameterNames[index], TableText.number(version.purchaseParameters[index]),
                        TableText.number(errors?[index]),
                    ]
                }
                    + (version.spendParameters.map { spend in
                        zip(["p (spend)", "q (spend)", "gamma (spend)"], spend).enumerated().map { index, pair in
                            [pair.0, TableText.number(pair.1), TableText.number(version.spendStandardErrors?[index])]
                        }
                    } ?? [])
            )
        )
        lines.append("log-likelihood \(TableText.number(comparison.final.logLikelihood, digits: 10))")
        for warning in comparison.warnings { lines.append("warning: \(warning)") }
        if outcome.customersScored > 0 {
            lines.append(
                "\nScored \(TableText.count(Double(outcome.customersScored))) customers (CLV discounted at \(TableText.number(version.monthlyDiscountRate * 100)) %/month over 12 and 36 months). See `patron report value`."
            )
        }
        let stages = comparison.stageSeconds.sorted { $0.key < $1.key }
            .map { "\($0.key) \(TableText.number($0.value, digits: 3)) s" }
        lines.append("Time: " + stages.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }
}
