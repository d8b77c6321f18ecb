import ArgumentParser
import CustomerValue
import Foundation

/// `patron predict`: per-customer P(alive), expected purchases, expected spend and CLV.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict P(alive), expected purchases, spend and discounted CLV per customer.",
        discussion: """
            The purchase model is fitted on the data (or taken from --parameters); when the data have
            spend, a Gamma-Gamma spend model is fitted too and CLV = discounted expected purchases ×
            expected spend per purchase, over the horizon.

            Examples:
              patron predict --model bgnbd --summary cdnow.csv --horizon 52w --format table
              patron predict --model pnbd --transactions orders.csv --time-unit days --horizon 1y --output scores.csv
              patron predict --model bgbb --summary donations.csv --horizon 5
            """
    )

    @Option(help: "The purchase model: bgnbd, mbgnbd, pnbd or bgbb.")
    var model: ModelName

    @OptionGroup var input: InputOptions

    @Option(
        help: "Horizon: a number in the model's time unit, or with a unit: 90d, 52w, 12m, 3y (BG/BB: opportunities)."
    )
    var horizon: Horizon

    @Option(help: "Monthly discount rate for CLV (lifetimes' convention; 0.01 = 1 %/month).")
    var discountRate: Double = 0.01

    @Option(help: "Discounting: monthly (discrete months, as lifetimes) or continuous.")
    var discounting: DiscountingKind = .monthly

    @Option(help: "Use these purchase-model parameters instead of fitting, e.g. r=0.243,alpha=4.414,a=0.793,b=2.426.")
    var parameters: String?

    @Option(help: "Write the results to this file instead of standard output.")
    var output: String?

    @Option(help: "Output format: csv, json or table.")
    var format: OutputFormat = .csv

    enum DiscountingKind: String, ExpressibleByArgument, CaseIterable {
        case monthly
        case continuous
    }

    func validate() throws {
        guard [.bgnbd, .mbgnbd, .pnbd, .bgbb].contains(model) else {
            throw ValidationError(
                "predict needs a purchase model (bgnbd, mbgnbd, pnbd or bgbb); '\(model.rawValue)' is fitted with `patron fit`"
            )
        }
        guard discountRate.isFinite, discountRate >= 0, discountRate < 1 else {
            throw ValidationError("--discount-rate must be in [0, 1) per month, got \(discountRate)")
        }
    }

    func run() throws {
        let result: PredictionTable
        switch model {
        case .bgnbd: result = try predict(BetaGeometricNBD.self)
        case .mbgnbd: result = try predict(ModifiedBetaGeometricNBD.self)
        case .pnbd: result = try predict(ParetoNBD.self)
        default: result = try predictOpportunities()
        }
        let text: String
        switch format {
        case .csv: text = TableText.csv(headers: result.headers, rows: result.rows) + "\n"
        case .table:
            text =
                result.notes.joined(separator: "\n") + "\n\n"
                + TableText.render(headers: result.headers, rows: result.rows) + "\n"
        case .json: text = result.json.rendered() + "\n"
        }
        if let output {
            do {
                try text.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw InputError(file: output, "cannot write: \(error.localizedDescription)")
            }
            FileHandle.standardError.write(
                Data(
                    ((result.notes + ["wrote \(result.rows.count) customers to \(output)"]).joined(separator: "\n")
                        + "\n").utf8
                )
            )
        } else {
            if format == .csv {
                FileHandle.standardError.write(Data((result.notes.joined(separator: "\n") + "\n").utf8))
            }
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    private func parsedParameters<Model: LikelihoodModel>(_ type: Model.Type) throws -> Model? {
        guard let parameters else { return nil }
        var values: [String: Double] = [:]
        for pair in parameters.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let value = Double(parts[1]) else {
                throw ValidationError("--parameters: '\(pair)' is not name=value")
            }
            values[parts[0]] = value
        }
        let ordered = try Model.parameterNames.map { name in
            guard let value = values[name] else {
                throw ValidationError(
                    "--parameters: missing \(name) (\(Model.identifier) needs \(Model.parameterNames.joined(separator: ", ")))"
                )
            }
            return value
        }
        return try Model(parameters: ordered)
    }

    private var discountingValue: Discounting {
        discounting == .monthly ? .monthly(rate: discountRate) : .continuous(monthlyRate: discountRate)
    }

    private func predict<Model: RepeatPurchaseModel>(_ type: Model.Type) throws -> PredictionTable {
        let table = try CustomerTable.load(input)
        let fitted: Model
        var notes: [String] = []
        if let given = try parsedParameters(Model.self) {
            fitted = given
            notes.append("\(model.title) with the given parameters")
        } else {
            let fit = try Model.fit(table.compressed)
            fitted = fit.model
            notes.append(
                "\(model.title) fitted to \(Int(fit.observations)) customers (LL \(TableText.formatted(fit.logLikelihood, decimals: 3))\(fit.isConverged ? "" : ", NOT converged"))"
            )
        }
        notes.append(
            "parameters: "
                + zip(Model.parameterNames, fitted.parameters).map { "\($0)=\(TableText.number($1))" }.joined(
                    separator: ", "
                )
        )
        var spendModel: GammaGamma?
        if table.meanSpends != nil, let spend = try? table.spend(), spend.customerCount > 0 {
            let spendFit = try GammaGamma.fit(spend)
            spendModel = spendFit.model
            notes.append(
                "spend: Gamma-Gamma p=\(TableText.number(spendFit.model.p)), q=\(TableText.number(spendFit.model.q)), gamma=\(TableText.number(spendFit.model.gamma)) on \(Int(spend.customerCount)) repeat customers"
            )
        }
        let length = horizon.length(in: table.timeUnit)
        let valuation = CustomerValuation(
            model: fitted,
            spendModel: spendModel,
            horizon: length,
            timeUnit: table.timeUnit,
            discounting: discountingValue
        )
        notes.append(
            "horizon \(TableText.number(length)) \(table.timeUnit.rawValue) (\(horizon.text)); expected_purchases undiscounted"
                + (spendModel == nil
                    ? "" : "; clv = discounted purchases × expected_spend, \(discountingValue.summary)")
        )
        let predictions = valuation.predictAll(table.histories, meanSpends: table.meanSpends)
        var headers = ["customer_id", "frequency", "recency", "T", "p_alive", "expected_purchases"]
        if spendModel != nil { headers += ["expected_spend", "clv"] }
        let rows = zip(table.ids, zip(table.histories, predictions)).map { id, pair in
            let (history, prediction) = pair
            var row = [
                id, String(history.frequency), TableText.number(history.recency), TableText.number(history.age),
                TableText.number(prediction.probabilityAlive), TableText.number(prediction.expectedPurchases),
            ]
            if spendModel != nil {
                row += [TableText.number(prediction.expectedSpend), TableText.number(prediction.lifetimeValue)]
            }
            return row
        }
        let json = OrderedJSON.object([
            ("model", .string(model.rawValue)),
            ("parameters", .object(zip(Model.parameterNames, fitted.parameters).map { ($0, .finite($1)) })),
            (
                "spendModel",
                spendModel.map { gg in .object(zip(GammaGamma.parameterNames, gg.parameters).map { ($0, .finite($1)) })
                } ?? .null
            ),
            ("timeUnit", .string(table.timeUnit.rawValue)),
            ("horizon", .number(length)),
            ("discounting", .string(discounting.rawValue)),
            ("monthlyDiscountRate", .number(discountRate)),
            (
                "customers",
                .array(
                    zip(table.ids, predictions).map { id, prediction in
                        .object([
                            ("customer_id", .string(id)),
                            ("p_alive", .finite(prediction.probabilityAlive)),
                            ("expected_purchases", .finite(prediction.expectedPurchases)),
                            ("expected_spend", .finite(prediction.expectedSpend)),
                            ("clv", .finite(prediction.lifetimeValue)),
                        ])
                    }
                )
            ),
        ])
        return PredictionTable(headers: headers, rows: rows, notes: notes, json: json)
    }

    private func predictOpportunities() throws -> PredictionTable {
        let table = try OpportunityTable.load(input)
        let fitted: BetaGeometricBetaBinomial
        if let given = try parsedParameters(BetaGeometricBetaBinomial.self) {
            fitted = given
        } else {
            fitted = try BetaGeometricBetaBinomial.fit(table.compressed).model
        }
        guard horizon.unitDays == nil, horizon.value == horizon.value.rounded() else {
            throw ValidationError("BG/BB horizons are whole numbers of opportunities, got '\(horizon.text)'")
        }
        let future = Int(horizon.value)
        let notes = [
            "BG/BB "
                + zip(BetaGeometricBetaBinomial.parameterNames, fitted.parameters).map {
                    "\($0)=\(TableText.number($1))"
                }.joined(separator: ", "),
            "horizon \(future) opportunities; p_alive = P(alive at the next opportunity)",
        ]
        let headers = ["customer_id", "frequency", "recency", "periods", "customers", "p_alive", "expected_purchases"]
        var rows: [[String]] = []
        var items: [OrderedJSON] = []
        for index in table.histories.indices {
            let history = table.histories[index]
            let alive = fitted.probabilityAlive(history)
            let expected = fitted.expectedTransactions(inNext: future, given: history)
            rows.append([
                table.ids[index], String(history.frequency), String(history.recency), String(history.opportunities),
                TableText.number(table.counts[index]), TableText.number(alive), TableText.number(expected),
            ])
            items.append(
                .object([
                    ("customer_id", .string(table.ids[index])), ("p_alive", .finite(alive)),
                    ("expected_purchases", .finite(expected)),
                ])
            )
        }
        let json = OrderedJSON.object([
            ("model", .string("bgbb")),
            (
                "parameters",
                .object(zip(BetaGeometricBetaBinomial.parameterNames, fitted.parameters).map { ($0, .finite($1)) })
            ),
            ("horizonOpportunities", .integer(future)),
            ("customers", .array(items)),
        ])
        return PredictionTable(headers: headers, rows: rows, notes: notes, json: json)
    }
}

/// Rows of a prediction, with notes stating model, horizon and conventions.
struct PredictionTable {
    var headers: [String]
    var rows: [[String]]
    var notes: [String]
    var json: OrderedJSON
}
