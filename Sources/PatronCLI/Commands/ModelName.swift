import ArgumentParser
import CustomerValue
import PatronNumerics

/// The models users can name on the command line.
enum ModelName: String, ExpressibleByArgument, CaseIterable {
    case bgnbd
    case mbgnbd
    case pnbd
    case bgbb
    case gg
    case sbg

    var title: String {
        switch self {
        case .bgnbd: "BG/NBD"
        case .mbgnbd: "MBG/NBD"
        case .pnbd: "Pareto/NBD"
        case .bgbb: "BG/BB"
        case .gg: "Gamma-Gamma"
        case .sbg: "sBG"
        }
    }
}

/// A fit turned into a report that prints as a table or JSON.
struct FitReport {
    var model: ModelName
    var timeUnit: String?
    var customers: Double
    var uniqueRows: Int?
    var names: [String]
    var parameters: [Double]
    var standardErrors: [Double]?
    var logLikelihood: Double
    var iterations: Int
    var evaluations: Int
    var gradientNorm: Double
    var status: String
    var converged: Bool
    var fitSeconds: Double
    var warnings: [String]

    init<Model: LikelihoodModel>(_ fit: ModelFit<Model>, model: ModelName, timeUnit: TimeUnit?, uniqueRows: Int?) {
        self.model = model
        self.timeUnit = timeUnit?.rawValue
        customers = fit.observations
        self.uniqueRows = uniqueRows
        names = Model.parameterNames
        parameters = fit.model.parameters
        standardErrors = fit.standardErrors
        logLikelihood = fit.logLikelihood
        iterations = fit.iterations
        evaluations = fit.evaluations
        gradientNorm = fit.gradientNorm
        status = fit.status.rawValue
        converged = fit.isConverged
        fitSeconds = fit.seconds
        warnings = fit.warnings
    }

    var json: OrderedJSON {
        .object([
            ("model", .string(model.rawValue)),
            ("timeUnit", timeUnit.map(OrderedJSON.string) ?? .null),
            ("customers", .number(customers)),
            ("uniqueRows", uniqueRows.map(OrderedJSON.integer) ?? .null),
            ("parameters", .object(zip(names, parameters).map { ($0, .finite($1)) })),
            (
                "standardErrors",
                standardErrors.map { errors in .object(zip(names, errors).map { ($0, .finite($1)) }) } ?? .null
            ),
            ("logLikelihood", .finite(logLikelihood)),
            ("iterations", .integer(iterations)),
            ("evaluations", .integer(evaluations)),
            ("gradientNorm", .finite(gradientNorm)),
            ("status", .string(status)),
            ("converged", .bool(converged)),
            ("fitSeconds", .finite(fitSeconds)),
            ("warnings", .array(warnings.map(OrderedJSON.string))),
        ])
    }

    var table: String {
        var lines = [
            "\(model.title) fitted to \(TableText.count(customers)) customers"
                + (uniqueRows.map { " (\($0) unique rows)" } ?? "")
                + (timeUnit.map { ", time in \($0)" } ?? "")
        ]
        lines.append("")
        let rows = names.indices.map { index in
            [names[index], TableText.number(parameters[index]), TableText.number(standardErrors?[index])]
        }
        lines.append(TableText.render(headers: ["parameter", "estimate", "std. error"], rows: rows))
        lines.append("")
        lines.append("log-likelihood  \(TableText.formatted(logLikelihood, decimals: 4))")
        lines.append(
            "optimiser       \(status) after \(iterations) iterations (‖∇‖∞ = \(TableText.number(gradientNorm, digits: 2))), \(TableText.formatted(fitSeconds * 1000, decimals: 2)) ms"
        )
        for warning in warnings { lines.append("warning: \(warning)") }
        if !converged && warnings.isEmpty {
            lines.append("warning: the fit did not converge; treat the estimates with care")
        }
        return lines.joined(separator: "\n")
    }
}
