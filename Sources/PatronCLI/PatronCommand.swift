import ArgumentParser

/// `patron`: the customer-value engine's command-line interface.
@main
struct PatronCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patron",
        abstract: "Patron: customer lifetime value models, fitted fast and exactly.",
        subcommands: []
    )
}
