import ArgumentParser

/// `patron`: the customer-value engine's command-line interface.
@main
struct PatronCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patron",
        abstract: "Patron: customer lifetime value models, fitted fast and exactly.",
        subcommands: [
            DemoCommand.self, FitCommand.self, PredictCommand.self, SimulateCommand.self, BenchmarkCommand.self,
        ]
    )
}
