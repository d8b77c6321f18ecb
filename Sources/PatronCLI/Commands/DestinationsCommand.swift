import ArgumentParser
import Foundation
import PatronStorage

/// `patron destinations`: where webhooks go.
struct DestinationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "destinations",
        abstract: "Manage webhook destinations (one per channel tool), their signing secrets and state.",
        subcommands: [Create.self, List.self, RotateSecret.self, Enable.self, Test.self]
    )

    /// `patron destinations create --name N --url U`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a destination and print its whsec_ signing secret (Standard Webhooks).",
            discussion: """
                Every delivery is POSTed as JSON with the headers webhook-id (the idempotency key, the same on \
                every retry), webhook-timestamp and webhook-signature (v1,<base64 HMAC-SHA256 of \
                id.timestamp.body>), verifiable with any Standard Webhooks library.
                """
        )
        @OptionGroup var store: DatabaseOptions
        @Option(help: "A unique name (e.g. email-tool).") var name: String
        @Option(help: "The endpoint URL (http or https).") var url: String
        @Option(name: .customLong("header"), help: "NAME: VALUE sent with every delivery; repeatable.")
        var headers: [String] = []
        @Option(help: "Use this whsec_ secret instead of generating one.") var secret: String?
        @Option(
            help: "What it contacts customers for (email, push, advertising, …): consent is checked before each send."
        )
        var purpose: String?
        @Option(help: "opt-in (only customers who granted the purpose) or opt-out (all but those who revoked it).")
        var consentPolicy = "opt-in"
        @Option(help: "Frequency cap per customer, e.g. 3/day, 1/week, 10/month (period in the customer's time zone).")
        var cap: String?

        func validate() throws {
            guard ConsentPolicy(rawValue: consentPolicy) != nil else {
                throw ValidationError("--consent-policy must be opt-in or opt-out, got '\(consentPolicy)'")
            }
            if let cap, FrequencyCap(parsing: cap) == nil {
                throw ValidationError("--cap must be COUNT/day, COUNT/week or COUNT/month, got '\(cap)'")
            }
        }
        @Option(help: "Output format: table or json.") var format: OutputFormat = .table

        func run() async throws {
            var fields: [String: String] = [:]
            for header in headers {
                let parts = header.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, !parts[0].isEmpty else {
                    throw ValidationError("--header must be NAME: VALUE, got '\(header)'")
                }
                fields[parts[0]] = parts[1]
            }
            let destination = try await store.open().createDestination(
                name: name,
                url: url,
                headers: fields,
                secret: secret,
                purpose: purpose,
                consentPolicy: ConsentPolicy(rawValue: consentPolicy) ?? .optIn,
                frequencyCap: cap.flatMap(FrequencyCap.init(parsing:))
            )
            if format == .json { return print(try EncodedJSON.text(destination)) }
            print("Created destination \(destination.name) → \(destination.url)")
            print("Signing secret (give it to the receiver): \(destination.secrets[0])")
        }
    }

    /// `patron destinations list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the destinations.")
        @OptionGroup var store: DatabaseOptions
        @Option(help: "Output format: table, json or csv.") var format: OutputFormat = .table

        func run() async throws {
            let destinations = try await store.open().destinations()
            if format == .json { return print(try EncodedJSON.text(destinations)) }
            let headers = ["name", "url", "purpose", "consent", "cap", "secrets", "state"]
            let rows = destinations.map {
                [
                    $0.name, $0.url, $0.purpose ?? "", $0.purpose == nil ? "" : $0.consentPolicy.rawValue,
                    $0.frequencyCap?.description ?? "", String($0.secrets.count),
                    $0.disabledAt == nil ? "enabled" : "disabled: \($0.disabledReason ?? "")",
                ]
            }
            print(
                format == .csv
                    ? TableText.csv(headers: headers, rows: rows) : TableText.render(headers: headers, rows: rows)
            )
        }
    }

    /// `patron destinations rotate-secret NAME`.
    struct RotateSecret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-secret",
            abstract: "Add a new signing secret; the previous one keeps signing too until the next rotation."
        )
        @OptionGroup var store: DatabaseOptions
        @Argument(help: "The destination.") var name: String

        func run() async throws {
            let destination = try await store.open().rotateSecret(ofDestination: name)
            print("New signing secret of \(name): \(destination.secrets.last ?? "")")
            print("Messages are signed with both \(destination.signingSecrets.count) secrets until the next rotation.")
        }
    }

    /// `patron destinations enable NAME`.
    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enable a destination again (after its endpoint answered 410 Gone)."
        )
        @OptionGroup var store: DatabaseOptions
        @Argument(help: "The destination.") var name: String

        func run() async throws {
            try await store.open().enableDestination(named: name)
            print(
                "Enabled \(name); `patron deliveries replay --destination \(name)` resends its dead-lettered messages."
            )
        }
    }

    /// `patron destinations test NAME`.
    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue a test webhook for a destination (sent by the running `patron serve`)."
        )
        @OptionGroup var store: DatabaseOptions
        @Argument(help: "The destination.") var name: String

        func run() async throws {
            let body = #"{"type":"test","sentAt":"\#(ISO8601DateFormatter().string(from: Date()))"}"#
            let queued = try await store.open().enqueueDelivery(toDestination: name, eventType: "test", payload: body)
            print("Queued \(queued.webhookId) for \(name).")
        }
    }
}
