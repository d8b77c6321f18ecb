import Foundation
import PatronCore
import PatronTestSupport
import Synchronization
import Testing

@testable import PatronStorage

/// Processing keeps the identity lookups of its committed steps for the next ones; a merge or a
/// split, by this process or another, must still send every later event to the customer that
/// holds its ids now.
struct KnownIdentitiesTests {
    let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
        .path

    /// Stores the events (JSON objects of a batch) through `store`, then processes everything.
    func send(_ store: SQLiteStore, _ events: String...) async throws {
        try await store.storeAndProcess(events)
    }

    /// The message ids of customer `customer`'s events.
    func messageIds(_ store: SQLiteStore, customer: Int64) async throws -> Set<String> {
        Set(try await store.events(customer: customer, limit: 100).compactMap { $0["messageId"]?.stringValue })
    }

    @Test(arguments: [false, true])
    func anEventAfterASplitGoesToTheRestoredCustomer(splitByAnotherProcess: Bool) async throws {
        let server = try SQLiteStore(path: path)
        try await send(
            server,
            #"{"type":"identify","anonymousId":"a1","messageId":"1","traits":{"email":"p@q.r"}}"#,
            #"{"type":"track","anonymousId":"a2","messageId":"2","event":"Viewed"}"#
        )
        try await send(server, #"{"type":"identify","anonymousId":"a2","messageId":"3","traits":{"email":"p@q.r"}}"#)
        // A step after the merge looks a2 up, and keeps that it belongs to the merged customer.
        try await send(server, #"{"type":"track","anonymousId":"a2","messageId":"4","event":"Viewed"}"#)
        let merged = try #require(try await server.customerId(anyId: "a1"))
        #expect(try await server.customerId(anyId: "a2") == merged)
        let merge = try #require(try await server.identityAudit(customer: merged).first { $0.action == "merge" })

        let splitter = splitByAnotherProcess ? try SQLiteStore(path: path) : server
        let split = try await splitter.splitMerge(auditId: merge.id)
        #expect(split.winner == merged)
        try await send(server, #"{"type":"track","anonymousId":"a2","messageId":"5","event":"Viewed"}"#)
        try await send(server, #"{"type":"track","anonymousId":"a1","messageId":"6","event":"Viewed"}"#)

        #expect(try await server.customerId(anyId: "a2") == split.restored)
        #expect(try await messageIds(server, customer: split.restored) == ["2", "3", "4", "5"])
        #expect(try await messageIds(server, customer: merged) == ["1", "6"])
    }

    @Test func aConflictAuditedByAnotherProcessKeepsTheLookups() async throws {
        let server = try SQLiteStore(path: path)
        try await send(server, #"{"type":"identify","userId":"u0","anonymousId":"a0","messageId":"1"}"#)
        let u0 = Identifier(kind: "user_id", value: "u0")
        #expect(server.knownIdentities.withLock { $0.owners[u0] } != nil)
        // Two user ids on one device: a conflict is audited, and nobody changes customer.
        try await send(
            try SQLiteStore(path: path),
            #"{"type":"identify","userId":"u1","anonymousId":"shared-device","messageId":"2"}"#,
            #"{"type":"identify","userId":"u2","anonymousId":"shared-device","messageId":"3"}"#
        )
        try await send(server, #"{"type":"track","userId":"u9","messageId":"4","event":"Viewed"}"#)
        #expect(server.knownIdentities.withLock { $0.owners[u0] } != nil)
        #expect(try await server.customerId(anyId: "u0") == server.knownIdentities.withLock { $0.owners[u0] })
    }
}
