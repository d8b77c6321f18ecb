import ArgumentParser
import Foundation
import PatronStorage

/// Where the database is, shared by the commands that use the store.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "SQLite database file (env PATRON_DATABASE; default ./patron.sqlite).")
    var database: String?

    var path: String { database ?? ProcessInfo.processInfo.environment["PATRON_DATABASE"] ?? "patron.sqlite" }

    func open() throws -> SQLiteStore {
        try SQLiteStore(path: path)
    }
}
