import ArgumentParser
import Foundation
import PatronCore
import PatronInsights
import PatronSegments
import PatronStorage

/// `patron identity explain|split`: why ids belong to one customer, and how to undo a merge.
struct IdentityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identity",
        abstract: "Explain and undo identity merges.",
        subcommands: [Explain.self, Split.self]
    )

    /// `patron identity explain ID`.
    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a customer's ids and every merge, split and conflict that concerns it."
        )

        @OptionGroup var store: DatabaseOptions

        @Argument(help: "Any id of the customer: user id, anonymous id, email or external id.")
        var id: String

        @Option(help: "Output format: table or json.")
        var format: OutputFormat = .table

        func run() async throws {
            let store = try store.open()
            try await store.processAll()
            guard let customer = try await store.customerId(anyId: id),
                let profile = try await store.customer(id: customer)
            else {
                throw InputError("no customer has the id '\(id)'")
            }
            let audit = try await store.identityAudit(customer: customer)
            if format == .json {
                struct Explanation: Encodable {
                    var customer: CustomerProfile
                    var audit: [IdentityAuditEntry]
                }
                print(try EncodedJSON.text(Explanation(customer: profile, audit: audit)))
                return
            }
            print("customer \(customer): \(profile.eventCount) events, \(profile.transactionCount) transactions")
            print(TableText.render(headers: ["kind", "value"], rows: profile.identifiers.map { [$0.kind, $0.value] }))
            print("")
            let rows = audit.map { entry in
                [
                    String(entry.id), entry.action + (entry.undoneAt == nil ? "" : " (undone)"),
                    entry.customerId.map(String.init) ?? "", entry.otherCustomerId.map(String.init) ?? "",
                    entry.identifiers.map(\.description).joined(separator: " "), entry.reason,
                ]
            }
            print(TableText.render(headers: ["audit", "action", "customer", "other", "ids", "reason"], rows: rows))
            if audit.contains(where: { $0.action == "merge" && $0.undoneAt == nil }) {
                print("\nundo a merge with: patron identity split --merge AUDIT_ID")
            }
        }
    }

    /// `patron identity split --merge N`.
    struct Split: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Undo a merge: the merged customer gets its ids and their events back.",
            discussion:
                "Both customers are re-scored and their segments evaluated again at once; entries and exits fire their triggers."
        )

        @OptionGroup var store: DatabaseOptions

        @Option(help: "The audit id of the merge to undo (see `patron identity explain`).")
        var merge: Int64

        func run() async throws {
            let store = try store.open()
            try await store.processAll()
            let result = try await store.splitMerge(auditId: merge)
            print("customer \(result.restored) split off customer \(result.winner)")
            // Both customers' events, orders and traits changed: their scores, then their segments (and
            // triggers) follow now, not at the next refit or refresh. The split itself is committed, so a
            // failure here is a warning with the way to catch up.
            let customers = [result.winner, result.restored]
            do {
                _ = try await Rescorer(store: store).rescore(customers)
                let changes = try await store.evaluateSegments(for: customers)
                for (name, change) in changes.sorted(by: { $0.key < $1.key }) {
                    print("segment \(name): \(change.entered.count) entered, \(change.exited.count) exited")
                }
            } catch {
                FileHandle.standardError.write(
                    Data(
                        "warning: the split is done, but re-scoring or evaluating segments failed: \(error); run `patron fit` and `patron segments backfill`\n"
                            .utf8
                    )
                )
            }
        }
    }
}
