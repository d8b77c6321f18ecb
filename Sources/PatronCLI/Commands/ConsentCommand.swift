import ArgumentParser
import Foundation
import PatronStorage

/// `patron consent`: what customers agreed to be contacted for.
struct ConsentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent",
        abstract: "Show or set a customer's consent per purpose (checked before every webhook send).",
        subcommands: [Show.self, Set.self]
    )

    /// `patron consent show ID`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A customer's consent records.")
        @OptionGroup var store: DatabaseOptions
        @Argument(help: "Any id of the customer (user id, email, anonymous id, external id).") var id: String
        @Option(help: "Output format: table, json or csv.") var format: OutputFormat = .table

        func run() async throws {
            let store = try store.open()
            guard let customer = try await store.customerId(anyId: id) else {
                throw InputError("no customer has the id '\(id)'")
            }
            let records = try await store.consents(customerId: customer)
            if format == .json { return print(try EncodedJSON.text(records)) }
            let headers = ["purpose", "granted", "source", "updated_at"]
            let rows = records.map {
                [$0.purpose, String($0.granted), $0.source, ISO8601DateFormatter().string(from: $0.updatedAt)]
            }
            print(
                format == .csv
                    ? TableText.csv(headers: headers, rows: rows) : TableText.render(headers: headers, rows: rows)
            )
        }
    }

    /// `patron consent set ID --purpose email --granted false`.
    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Grant or revoke a customer's consent for a purpose (`all` for everything)."
        )
        @OptionGroup var store: DatabaseOptions
        @Argument(help: "Any id of the customer.") var id: String
        @Option(help: "The purpose (email, push, advertising, …) or all.") var purpose: String
        @Option(help: "true to grant, false to revoke.") var granted: Bool

        func run() async throws {
            let store = try store.open()
            guard let customer = try await store.customerId(anyId: id) else {
                throw InputError("no customer has the id '\(id)'")
            }
            try await store.setConsent(customerId: customer, purpose: purpose, granted: granted, source: "api")
            print("\(granted ? "Granted" : "Revoked") \(purpose) for customer \(customer).")
        }
    }
}
