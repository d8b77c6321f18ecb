import Foundation
import GRDB
import PatronCore
import PatronStorage
import PatronTestSupport
import Testing

/// Processing skips the acquisition upsert of an event whose touch cannot beat what the customer's
/// stored first touch is known to be; a split, by this process or another, makes a stored first
/// touch worse, and a later touch must then be written again.
struct FirstTouchFloorsTests {
    let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
        .path

    /// Stores the events (JSON objects of a batch) through `store`, then processes everything.
    func send(_ store: SQLiteStore, _ events: String...) async throws {
        try await store.storeAndProcess(events)
    }

    /// A `track` event of `anonymousId` at `hour` o'clock on 2026-01-05, from a paid search campaign.
    func campaignVisit(_ anonymousId: String, messageId: String, hour: Int) -> String {
        """
        {"type":"track","anonymousId":"\(anonymousId)","messageId":"\(messageId)","event":"Visited",
         "timestamp":"2026-01-05T\(hour < 10 ? "0" : "")\(hour):00:00Z",
         "context":{"campaign":{"source":"google","medium":"cpc","name":"winter"}}}
        """
    }

    /// The stored first touch of `customer`, read by another connection.
    func acquisition(of customer: Int64) throws -> Row? {
        try DatabaseQueue(path: path).read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT isMarketingTouch, channel, firstTouchAt FROM acquisition WHERE customerId = ?",
                arguments: [customer]
            )
        }
    }

    @Test(arguments: [false, true])
    func aTouchAfterASplitIsWrittenAgain(splitByAnotherProcess: Bool) async throws {
        let server = try SQLiteStore(path: path)
        try await send(
            server,
            #"{"type":"identify","anonymousId":"a1","messageId":"1","timestamp":"2026-01-05T09:00:00Z","traits":{"email":"p@q.r"}}"#,
            campaignVisit("a2", messageId: "2", hour: 8)
        )
        // a2 joins a1's customer, which takes a2's 8 o'clock campaign visit as its first touch.
        try await send(
            server,
            #"{"type":"identify","anonymousId":"a2","messageId":"3","timestamp":"2026-01-05T08:30:00Z","traits":{"email":"p@q.r"}}"#
        )
        // A later visit cannot beat it: the merged customer's floor is now a 10 o'clock campaign visit.
        try await send(server, campaignVisit("a2", messageId: "4", hour: 10))
        let merged = try #require(try await server.customerId(anyId: "a1"))
        let merge = try #require(try await server.identityAudit(customer: merged).first { $0.action == "merge" })

        // The split gives a2's events back: a1's customer is left with its direct 9 o'clock identify.
        let splitter = splitByAnotherProcess ? try SQLiteStore(path: path) : server
        _ = try await splitter.splitMerge(auditId: merge.id)
        #expect(try acquisition(of: merged)?["isMarketingTouch"] == 0)

        // An 11 o'clock campaign visit now beats the stored first touch, though not the old floor.
        try await send(server, campaignVisit("a1", messageId: "5", hour: 11))
        let written = try acquisition(of: merged)
        #expect(written?["isMarketingTouch"] == 1)
        #expect(written?["channel"] == "paid search")
        #expect((written?["firstTouchAt"] as String?)?.contains("11:00:00") == true)
    }
}
