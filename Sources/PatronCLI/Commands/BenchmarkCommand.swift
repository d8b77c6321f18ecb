import ArgumentParser
import CustomerValue
import Foundation
import PatronNumerics

/// `patron benchmark`: times fits and predictions in-process, as JSON for `scripts/bench/run`.
struct BenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark",
        abstract: "Time model fits and predictions on a summary file (used by scripts/bench/run).",
        discussion: """
            Fit time includes compressing the per-customer rows to unique (x, t_x, T) rows. Prediction time
            covers P(alive), expected purchases and CLV over 12 months (BG/NBD + Gamma-Gamma, 1 %/month
            discounted monthly, as lifetimes' customer_lifetime_value) for every customer.
            """
    )

    @OptionGroup var input: InputOptions

    @Option(help: "Comma-separated models to fit: bgnbd, mbgnbd, pnbd, gg.")
    var models: String = "bgnbd,pnbd,gg"

    @Option(name: .customLong("repeat"), help: "Fit each model this many times; the best time is reported.")
    var repetitions: Int = 3

    @Flag(help: "Also time predictions for all customers.")
    var predict = false

    @Option(help: "Output format (json).")
    var format: OutputFormat = .json

    func run() throws {
        let table = try CustomerTable.load(input)
        let names = models.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var results: [(String, OrderedJSON)] = []
        var fittedBG: BetaGeometricNBD?
        var fittedGG: GammaGamma?
        for name in names {
            guard let model = ModelName(rawValue: name), [.bgnbd, .mbgnbd, .pnbd, .gg].contains(model) else {
                throw ValidationError("--models: unknown or unsupported model '\(name)'")
            }
            var times: [Double] = []
            var last: FitReport?
            for _ in 0..<max(1, repetitions) {
                let clock = ContinuousClock()
                let start = clock.now
                let report: FitReport
                switch model {
                case .bgnbd:
                    let fit = try BetaGeometricNBD.fit(table.compressed)
                    fittedBG = fit.model
                    report = FitReport(fit, model: model, timeUnit: table.timeUnit, uniqueRows: nil)
                case .mbgnbd:
                    report = FitReport(
                        try ModifiedBetaGeometricNBD.fit(table.compressed),
                        model: model,
                        timeUnit: table.timeUnit,
                        uniqueRows: nil
                    )
                case .pnbd:
                    report = FitReport(
                        try ParetoNBD.fit(table.compressed),
                        model: model,
                        timeUnit: table.timeUnit,
                        uniqueRows: nil
                    )
                default:
                    let fit = try GammaGamma.fit(try table.spend())
                    fittedGG = fit.model
                    report = FitReport(fit, model: model, timeUnit: nil, uniqueRows: nil)
                }
                times.append(Self.seconds(clock.now - start))
                last = report
            }
            guard let last else { continue }
            results.append(
                (
                    name,
                    .object([
                        ("fitSeconds", .number(times.min()!)),
                        ("fitSecondsAll", .array(times.map(OrderedJSON.number))),
                        ("optimizerSeconds", .number(last.fitSeconds)),
                        ("parameters", .object(zip(last.names, last.parameters).map { ($0, .finite($1)) })),
                        ("logLikelihood", .finite(last.logLikelihood)),
                        ("iterations", .integer(last.iterations)),
                        ("evaluations", .integer(last.evaluations)),
                        ("converged", .bool(last.converged)),
                    ])
                )
            )
        }
        var predictJSON = OrderedJSON.null
        if predict {
            let model = try fittedBG ?? BetaGeometricNBD.fit(table.compressed).model
            let spend = try fittedGG ?? GammaGamma.fit(try table.spend()).model
            let clock = ContinuousClock()
            let start = clock.now
            let value = CustomerValuation(
                model: model,
                spendModel: spend,
                horizon: 12 * table.timeUnit.unitsPerMonth,
                timeUnit: table.timeUnit,
                discounting: .monthly(rate: 0.01)
            )
            .predictAll(table.histories, meanSpends: table.meanSpends)
            let seconds = Self.seconds(clock.now - start)
            let totalCLV = value.reduce(0) { $0 + ($1.lifetimeValue ?? 0) }
            let totalExpected = value.reduce(0) { $0 + $1.expectedPurchases }
            predictJSON = .object([
                ("totalSeconds", .number(seconds)),
                ("customers", .integer(table.histories.count)),
                ("sumExpectedPurchases", .finite(totalExpected)),
                ("sumCLV", .finite(totalCLV)),
            ])
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let document = OrderedJSON.object([
            ("tool", .string("patron")),
            ("dataset", .string(table.source)),
            ("customers", .number(table.customerCount)),
            ("uniqueRows", .integer(table.compressed.rows.count)),
            ("models", .object(results)),
            ("predict", predictJSON),
            ("peakRSSBytes", .integer(Int(usage.ru_maxrss) * 1024)),
        ])
        print(document.rendered())
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
