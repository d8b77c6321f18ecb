import ArgumentParser
import PatronStorage

/// `patron keys`: manages write keys.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage write keys of event sources.",
        subcommands: [Create.self]
    )

    /// `patron keys create --source web`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a write key for a source and print it (only its hash is stored)."
        )

        @OptionGroup var store: DatabaseOptions

        @Option(help: "The source the key writes to (e.g. web, ios, backend).")
        var source: String

        func validate() throws {
            guard !source.isEmpty, source.count <= 100 else {
                throw ValidationError("--source must be 1 to 100 characters")
            }
        }

        func run() async throws {
            let key = "wk_" + SQLiteStore.randomHex(bytes: 24)
            try await store.open().addWriteKey(key, source: source)
            print(key)
        }
    }
}
