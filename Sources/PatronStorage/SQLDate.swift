import Foundation
import GRDB
import PatronCore

/// A date as the store writes it: text `yyyy-MM-dd HH:mm:ss.SSS` in UTC, the format GRDB itself
/// uses (so columns read back as `Date` and sort chronologically), formatted by arithmetic instead
/// of through a `DateFormatter`, which cost more than the insert itself on the ingest path.
struct SQLDate: DatabaseValueConvertible {
    let date: Date

    init(_ date: Date) { self.date = date }

    /// The current time.
    static var now: SQLDate { SQLDate(Date()) }

    var databaseValue: DatabaseValue { Self.text(date).databaseValue }

    /// The stored text of a date.
    static func text(_ date: Date) -> String {
        SegmentTimestamp.format(date, dateTimeSeparator: UInt8(ascii: " "), zone: false)
    }

    /// The stored text of a time given in milliseconds since 1970 (as ``ImportSeenJournal`` keeps it).
    static func text(milliseconds: Int64) -> String {
        SegmentTimestamp.format(milliseconds: milliseconds, dateTimeSeparator: UInt8(ascii: " "), zone: false)
    }

    static func fromDatabaseValue(_ dbValue: DatabaseValue) -> SQLDate? {
        Date.fromDatabaseValue(dbValue).map(SQLDate.init)
    }
}
