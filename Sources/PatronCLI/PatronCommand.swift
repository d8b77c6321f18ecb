import ArgumentParser

/// `patron`: the customer-value engine's command-line interface.
@main
struct PatronCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patron",
        abstract:
            "Patron: customer lifetime value models, a Segment-compatible event API and a customer store.",
        version: "0.1.0",
        subcommands: [
            DemoCommand.self, FitCommand.self, PredictCommand.self, ServeCommand.self, KeysCommand.self,
            QuarantineCommand.self, ImportCommand.self,
            IdentityCommand.self, ReportCommand.self, SnapshotCommand.self, SegmentsCommand.self,
            SimulateCommand.self, DestinationsCommand.self, DeliveriesCommand.self, TriggersCommand.self,
            ConsentCommand.self,
            BenchmarkCommand.self,
        ]
    )
}
