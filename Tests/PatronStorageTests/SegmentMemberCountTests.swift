import Foundation
import GRDB
import PatronCore
import PatronTestSupport
import Testing

@testable import PatronStorage

/// Each segment keeps its number of current members (`segment.memberCount`), so that recording a
/// processing step's entries and exits does not count all of a segment's members.
struct SegmentMemberCountTests {
    /// A database of v14 with current and past memberships gets the right counts from migration v15.
    @Test func migrationV15CountsTheCurrentMembers() async throws {
        let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
            .path
        let queue = try DatabaseQueue(path: path)
        try SQLiteStore.migrator.migrate(queue, upTo: "v14: events indexed by customer once processed")
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO customer (id, createdAt) VALUES (1, '2026-01-01 00:00:00.000'), (2, '2026-01-01 00:00:00.000');
                    INSERT INTO segment (id, name, definition, createdAt, updatedAt) VALUES
                        (1, 'a', '{}', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000'),
                        (2, 'b', '{}', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000'),
                        (3, 'c', '{}', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000');
                    INSERT INTO segmentMembership (segmentId, customerId, enteredAt, exitedAt) VALUES
                        (1, 1, '2026-01-01 00:00:00.000', NULL), (1, 2, '2026-01-01 00:00:00.000', NULL),
                        (2, 1, '2026-01-01 00:00:00.000', '2026-01-02 00:00:00.000'),
                        (2, 2, '2026-01-01 00:00:00.000', NULL);
                    """
            )
        }
        try queue.close()
        let store = try SQLiteStore(path: path)
        #expect(try await store.segmentMemberCounts() == [1: 2, 2: 1])
    }

    /// The real-time recording moves the count by its entries and exits.
    @Test func realTimeEntriesAndExitsMoveTheCount() async throws {
        let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
            .path
        let store = try SQLiteStore(path: path)
        try await store.storeAndProcess([
            #"{"type":"identify","userId":"u1","messageId":"1"}"#,
            #"{"type":"identify","userId":"u2","messageId":"2"}"#,
        ])
        let segment = try await store.createSegment(name: "s", definition: #"{"trait":"x","op":"exists"}"#)
        let (u1, u2) = (
            try #require(try await store.customerId(anyId: "u1")), try #require(try await store.customerId(anyId: "u2"))
        )
        let both = try await store.recordSegmentEvaluations(
            customers: [u1, u2],
            evaluations: [(segment.id, evaluated: [u1, u2], members: [u1, u2])],
            at: Date()
        )
        #expect(both[segment.id]?.members == 2)
        let one = try await store.recordSegmentEvaluations(
            customers: [u1],
            evaluations: [(segment.id, evaluated: [u1], members: [])],
            at: Date()
        )
        #expect(one[segment.id]?.members == 1)
        #expect(try await store.segmentMemberCounts() == [segment.id: 1])
    }
}
