import Foundation
import GRDB
import PatronCore

/// An event row read back from the store.
struct StoredEvent {
    static let columns = "id, source, type, messageId, userId, anonymousId, name, timestamp, receivedAt, payload"

    let id: Int64
    let source: String
    let event: SegmentEvent

    init(row: Row) throws {
        id = row["id"]
        source = row["source"]
        let payloadText: String = row["payload"]
        event = SegmentEvent(
            type: SegmentEventType(rawValue: row["type"]) ?? .track,
            messageId: row["messageId"],
            userId: row["userId"],
            anonymousId: row["anonymousId"],
            name: row["name"],
            timestamp: row["timestamp"],
            receivedAt: row["receivedAt"],
            payload: try JSONValue.parse(Data(payloadText.utf8))
        )
    }
}
