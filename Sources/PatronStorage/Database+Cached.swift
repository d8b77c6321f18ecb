import GRDB

extension Database {
    /// Executes `sql` through the connection's statement cache, so the hot paths (ingest,
    /// processing, imports) compile each statement once per connection instead of once per call.
    func executeCached(sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
