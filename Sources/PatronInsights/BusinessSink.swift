import Foundation
import PatronCore
public import PatronStorage

/// Where a simulated business goes: events as Segment JSON objects, then marketing spend.
public protocol BusinessSink: Sendable {
    /// Sends events (each a Segment event JSON object, in order).
    func send(_ events: [String]) async throws
    /// Called once after the last event: waits until every event has been processed.
    func finishEvents() async throws
    /// Imports spend rows; returns how many were imported.
    func importSpend(_ rows: [SpendRow]) async throws -> Int
}

/// Writes a simulated business straight into a store, through the same ingest and processing
/// paths the server uses.
public struct StoreBusinessSink: BusinessSink {
    /// The store.
    public let store: SQLiteStore

    /// Creates a sink into `store`.
    public init(store: SQLiteStore) { self.store = store }

    /// Parses the events as one `/v1/batch` body and ingests them.
    public func send(_ events: [String]) async throws {
        guard !events.isEmpty else { return }
        let body = Data(("{\"batch\":[" + events.joined(separator: ",") + "]}").utf8)
        let request = try SegmentRequest.parse(body: body, single: nil, receivedAt: Date())
        _ = try await store.ingest(
            IngestBatch(source: "simulation", accepted: request.accepted, rejected: request.rejected)
        )
    }

    /// Processes every ingested event.
    public func finishEvents() async throws { try await store.processAll() }

    /// Imports the spend rows.
    public func importSpend(_ rows: [SpendRow]) async throws -> Int { try await store.importSpend(rows).imported }
}
