import Foundation
import GRDB
import GRDBSQLite

/// A cached GRDB statement bound and stepped through the SQLite C API, for the per-row loops of
/// imports, ingest and event processing: building a `StatementArguments` array of `DatabaseValue`s
/// for every row cost more than the insert itself (see BENCHMARKS.md §3).
///
/// Use only inside the database access that prepared it; ``reset()`` before binding a new row.
struct BoundStatement {
    private let statement: Statement
    private let db: Database

    init(_ db: Database, sql: String) throws {
        self.db = db
        statement = try db.cachedStatement(sql: sql)
        reset()
    }

    private var handle: SQLiteStatement { statement.sqliteStatement }

    /// Clears the previous row's state and bindings.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func bind(_ value: String, at index: Int32) {
        var value = value
        _ = value.withUTF8 { bytes in
            if let base = bytes.baseAddress {
                sqlite3_bind_text(
                    handle,
                    index,
                    UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self),
                    Int32(bytes.count),
                    transient
                )
            } else {
                sqlite3_bind_text(handle, index, "", 0, transient)
            }
        }
    }

    /// Binds a text, or leaves the NULL that ``reset()`` bound for `nil`.
    func bind(_ value: String?, at index: Int32) {
        if let value { bind(value, at: index) }
    }

    func bind(_ value: Int64, at index: Int32) { sqlite3_bind_int64(handle, index, value) }

    /// Binds a blob (copied by SQLite).
    func bind(_ bytes: UnsafeRawBufferPointer, at index: Int32) {
        sqlite3_bind_blob(
            handle,
            index,
            bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1),
            Int32(bytes.count),
            transient
        )
    }

    func bind(_ value: Double, at index: Int32) { sqlite3_bind_double(handle, index, value) }

    /// Binds a date the way ``SQLDate`` stores it (`yyyy-MM-dd HH:mm:ss.SSS`, UTC).
    func bind(_ date: Date, at index: Int32) { bind(SQLDate.text(date), at: index) }

    /// Runs the statement: `true` if it produced a row (read it with ``int64(at:)``), `false` when done.
    /// - Throws: `DatabaseError` with SQLite's result code and message.
    func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code:
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code),
                message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                sql: statement.sql
            )
        }
    }

    /// Runs a statement that returns no row, then resets it; returns the number of rows it changed.
    @discardableResult
    func execute() throws -> Int {
        _ = try step()
        let changes = db.changesCount
        reset()
        return changes
    }

    /// Runs a query for one integer, then resets it: the first column of its first row (`nil` when
    /// it returns no row, or NULL).
    func fetchInt64() throws -> Int64? {
        defer { reset() }
        guard try step(), sqlite3_column_type(handle, 0) != SQLITE_NULL else { return nil }
        return int64(at: 0)
    }

    /// An integer column of the current row.
    func int64(at column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    /// Reads a blob column of the current row (the bytes are valid only during `body`).
    func withBlob<T>(at column: Int32, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let base = sqlite3_column_blob(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        return try body(UnsafeRawBufferPointer(start: base, count: base == nil ? 0 : count))
    }
}

/// `SQLITE_TRANSIENT`: SQLite copies the bound bytes (the Swift buffer is only valid during the call).
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
