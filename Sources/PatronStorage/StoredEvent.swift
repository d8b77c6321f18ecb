import Foundation
import GRDB
import PatronCore

/// An event row read back from the store.
struct StoredEvent {
    /// The columns `init(row:)` reads, by position (a lookup by name compares names case-insensitively,
    /// column after column, for every value of every row).
    static let columns = "id, source, type, messageId, userId, anonymousId, name, timestamp, receivedAt, payload"

    let id: Int64
    let source: String
    let event: SegmentEvent

    /// Reads a row of ``columns``, in their order.
    init(row: Row) throws {
        id = row[0]
        source = row[1]
        // The payload's bytes straight from SQLite: no String to validate and copy again.
        let payload: Data = row[9]
        event = SegmentEvent(
            type: SegmentEventType(rawValue: row[2]) ?? .track,
            messageId: row[3],
            userId: row[4],
            anonymousId: row[5],
            name: row[6],
            timestamp: row[7],
            receivedAt: row[8],
            payload: try JSONValue.parse(payload)
        )
    }
}
