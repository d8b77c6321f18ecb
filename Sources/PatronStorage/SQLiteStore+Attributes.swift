import GRDB

extension SQLiteStore {
    /// Each customer's first-touch acquisition channel (customers without one are absent).
    public func acquisitionChannels() async throws(StoreError) -> [Int64: String] {
        try await read("read acquisition channels") { db in
            var channels: [Int64: String] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT customerId, channel FROM acquisition")
            while let row = try rows.next() { channels[row[0]] = row[1] }
            return channels
        }
    }

    /// Each customer's current value of the trait `key` as text (JSON strings unquoted, numbers and
    /// booleans as written; customers without the trait, or with `null`, are absent).
    public func traitValues(key: String) async throws(StoreError) -> [Int64: String] {
        try await read("read trait \(key)") { db in
            var values: [Int64: String] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT customerId, CASE WHEN json_valid(value) THEN json_extract(value, '$') ELSE value END
                    FROM trait WHERE key = ?
                    """,
                arguments: [key]
            )
            while let row = try rows.next() {
                let value = row[1] as DatabaseValue
                switch value.storage {
                case .null, .blob: continue
                case .int64(let number): values[row[0]] = String(number)
                case .double(let number): values[row[0]] = String(number)
                case .string(let text): values[row[0]] = text
                }
            }
            return values
        }
    }
}
