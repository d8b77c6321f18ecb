import ArgumentParser
import CustomerValue
import Foundation
import PatronNumerics

/// `patron simulate summary|business`: seeded simulations.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate customers: a summary CSV from one model, or a whole multi-channel business in the store.",
        subcommands: [SimulateSummaryCommand.self, SimulateBusinessCommand.self],
        defaultSubcommand: SimulateSummaryCommand.self
    )
}

/// `patron simulate [summary]`: writes a seeded customer summary drawn from a generative model.
struct SimulateSummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Simulate customers from a model (seeded), as a lifetimes-style summary CSV (the default).",
        discussion: """
            Columns: customer_id, frequency, recency, T, monetary_value (mean repeat spend from a
            Gamma-Gamma model). Purchase times are rounded to whole days, as in a real transaction log.

            Example:
              patron simulate --model bgnbd --customers 100000 --seed 42 --output sim.csv
            """
    )

    @Option(help: "The generating model: bgnbd, mbgnbd or pnbd.")
    var model: ModelName = .bgnbd

    @Option(help: "Number of customers.")
    var customers: Int

    @Option(help: "Random seed (the same seed gives the same file).")
    var seed: UInt64 = 42

    @Option(help: "Purchase-model parameters (default: the CDNOW estimates, in weeks).")
    var parameters: String?

    @Option(help: "Gamma-Gamma spend parameters p,q,gamma.")
    var spend: String = "6.25,3.74,15.44"

    @Option(help: "Youngest customer's age T in weeks.")
    var minimumAge: Double = 27

    @Option(help: "Oldest customer's age T in weeks.")
    var maximumAge: Double = 39

    @Option(help: "Output file (default: standard output).")
    var output: String?

    func validate() throws {
        guard customers > 0 else { throw ValidationError("--customers must be > 0") }
        guard minimumAge > 0, maximumAge >= minimumAge else {
            throw ValidationError("--minimum-age must be > 0 and ≤ --maximum-age")
        }
        guard [.bgnbd, .mbgnbd, .pnbd].contains(model) else {
            throw ValidationError("simulate supports bgnbd, mbgnbd and pnbd")
        }
    }

    func run() throws {
        let values = try parsedList(parameters)
        let histories: [PurchaseHistory]
        let ages = { (box: inout SeededGeneratorBox) in (box.uniform(minimumAge...maximumAge) * 7).rounded() / 7 }
        switch model {
        case .mbgnbd:
            let generator = try ModifiedBetaGeometricNBD(parameters: values ?? [0.525, 6.183, 0.891, 1.614])
            histories = generator.sampleHistories(count: customers, age: ages, seed: seed)
        case .pnbd:
            let generator = try ParetoNBD(parameters: values ?? [0.553, 10.578, 0.606, 11.669])
            histories = generator.sampleHistories(count: customers, age: ages, seed: seed)
        default:
            let generator = try BetaGeometricNBD(parameters: values ?? [0.243, 4.414, 0.793, 2.426])
            histories = generator.sampleHistories(count: customers, age: ages, seed: seed)
        }
        let spendModel = try GammaGamma(parameters: try parsedList(spend) ?? [])
        var generator = SeededGenerator(seed: seed &+ 1)
        var text = "customer_id,frequency,recency,T,monetary_value\n"
        text.reserveCapacity(customers * 40)
        for (index, history) in histories.enumerated() {
            let recency = (history.recency * 7).rounded(.down) / 7
            let meanSpend = spendModel.sampleMeanSpend(frequency: history.frequency, using: &generator)
            text +=
                "\(index + 1),\(history.frequency),\(recency),\(history.age),\(history.frequency > 0 ? String(format: "%.2f", max(meanSpend, 0.01)) : "0")\n"
        }
        if let output {
            try text.write(toFile: output, atomically: true, encoding: .utf8)
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    private func parsedList(_ text: String?) throws -> [Double]? {
        guard let text else { return nil }
        return try text.split(separator: ",").map { item in
            let value = item.contains("=") ? item.split(separator: "=").last.map(String.init) ?? "" : String(item)
            guard let number = Double(value.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("'\(item)' is not a number")
            }
            return number
        }
    }
}
