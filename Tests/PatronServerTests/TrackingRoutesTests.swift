import CompressNIO
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import PatronCore
import PatronServer
import PatronStorage
import PatronTestSupport
import Testing

/// In-process tests of the tracking API against a real SQLite file.
struct TrackingRoutesTests {
    static func makeStore() async throws -> SQLiteStore {
        let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
            .path
        let store = try SQLiteStore(path: path)
        try await store.addWriteKey("wk_test", source: "web")
        return store
    }

    static func basic(_ key: String, colon: Bool = true) -> String {
        "Basic " + Data((key + (colon ? ":" : "")).utf8).base64EncodedString()
    }

    func withApp(
        _ limits: IngestLimits = IngestLimits(),
        _ body: @Sendable (SQLiteStore, any TestClientProtocol) async throws -> Void
    ) async throws {
        let store = try await Self.makeStore()
        let router = buildRouter(configuration: ServerConfiguration(limits: limits), store: store)
        try await Application(router: router).test(.router) { client in try await body(store, client) }
    }

    let batch =
        #"{"batch":[{"type":"identify","userId":"u1","messageId":"m1","traits":{"email":"a@b.c"}},{"type":"track","userId":"u1","event":"Order Completed","messageId":"m2"}]}"#

    @Test func acceptedBatchIsStoredAndAnsweredWithExactly200() async throws {
        try await withApp { store, client in
            try await client.execute(
                uri: "/v1/batch",
                method: .post,
                headers: [.authorization: Self.basic("wk_test"), .contentType: "application/json"],
                body: ByteBuffer(string: batch)
            ) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"success":true}"#)
            }
            #expect(try await store.messageIds(source: "web") == ["m1", "m2"])
        }
    }

    @Test func duplicatesAreAcknowledgedButStoredOnce() async throws {
        try await withApp { store, client in
            for _ in 0..<3 {
                try await client.execute(
                    uri: "/v1/batch",
                    method: .post,
                    headers: [.authorization: Self.basic("wk_test", colon: false)],
                    body: ByteBuffer(string: batch)
                ) { response in #expect(response.status == .ok) }
            }
            #expect(try await store.eventCount() == 2)
        }
    }

    @Test func writeKeyInTheBodyAndSingleEventRoutes() async throws {
        try await withApp { store, client in
            try await client.execute(
                uri: "/v1/track",
                method: .post,
                body: ByteBuffer(string: #"{"writeKey":"wk_test","userId":"u","event":"Signed Up","messageId":"s1"}"#)
            ) { response in #expect(response.status == .ok) }
            #expect(try await store.messageIds(source: "web") == ["s1"])
        }
    }

    @Test func missingOrUnknownWriteKeyIs401() async throws {
        try await withApp { store, client in
            try await client.execute(uri: "/v1/batch", method: .post, body: ByteBuffer(string: batch)) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains("missing write key"))
            }
            try await client.execute(
                uri: "/v1/batch",
                method: .post,
                headers: [.authorization: Self.basic("nope")],
                body: ByteBuffer(string: batch)
            ) { response in #expect(response.status == .unauthorized) }
            #expect(try await store.eventCount() == 0)
        }
    }

    @Test func gzipBodiesAreAccepted() async throws {
        try await withApp { store, client in
            var plain = ByteBuffer(string: batch)
            let compressed = try plain.compress(with: .gzip())
            try await client.execute(
                uri: "/v1/batch",
                method: .post,
                headers: [.authorization: Self.basic("wk_test"), .contentEncoding: "gzip"],
                body: compressed
            ) { response in #expect(response.status == .ok) }
            #expect(try await store.eventCount() == 2)
            try await client.execute(
                uri: "/v1/batch",
                method: .post,
                headers: [.authorization: Self.basic("wk_test"), .contentEncoding: "gzip"],
                body: ByteBuffer(string: "not gzip at all")
            ) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("not valid gzip"))
            }
        }
    }

    @Test func invalidEventsAreQuarantinedAndTheRestStored() async throws {
        try await withApp { store, client in
            let body =
                #"{"batch":[{"type":"track","userId":"u","messageId":"bad"},{"type":"page","anonymousId":"a","messageId":"good"}]}"#
            try await client.execute(
                uri: "/v1/batch",
                method: .post,
                headers: [.authorization: Self.basic("wk_test")],
                body: ByteBuffer(string: body)
            ) { response in #expect(response.status == .ok) }
            #expect(try await store.messageIds(source: "web") == ["good"])
            let quarantined = try await store.quarantined()
            #expect(quarantined.map(\.reason) == [QuarantineReason.missingEventName.rawValue])
            #expect(quarantined[0].payload.contains("\"bad\""))
        }
    }

    @Test func limitsAreEnforcedWithTheLimitNamed() async throws {
        try await withApp(IngestLimits(maximumEventBytes: 1000, maximumBatchBytes: 2000, maximumBatchEvents: 1)) {
            _,
            client in
            try await client.execute(
                uri: "/v1/batch",
                method: .post,
                headers: [.authorization: Self.basic("wk_test")],
                body: ByteBuffer(string: batch)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("limit of 1 events"))
            }
            try await client.execute(
                uri: "/v1/batch",
                method: .post,
                headers: [.authorization: Self.basic("wk_test")],
                body: ByteBuffer(string: String(repeating: " ", count: 3000))
            ) { response in
                #expect(response.status == .contentTooLarge)
                #expect(String(buffer: response.body).contains("2000 bytes"))
            }
        }
    }

    /// Concurrent requests share transactions (group commit) and nothing acknowledged is lost.
    @Test func concurrentRequestsAreAllStored() async throws {
        try await withApp { store, client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for request in 0..<40 {
                    group.addTask {
                        let events = (0..<25).map {
                            #"{"type":"track","userId":"u\#(request)","event":"e","messageId":"r\#(request)-\#($0)"}"#
                        }
                        try await client.execute(
                            uri: "/v1/batch",
                            method: .post,
                            headers: [.authorization: Self.basic("wk_test")],
                            body: ByteBuffer(string: #"{"batch":[\#(events.joined(separator: ","))]}"#)
                        ) { response in #expect(response.status == .ok) }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await store.eventCount() == 1000)
        }
    }

    @Test func healthAnswers() async throws {
        try await withApp { _, client in
            try await client.execute(uri: "/health", method: .get) { response in #expect(response.status == .ok) }
        }
    }

    @Test func deeplyNestedBodiesAreRejectedWithoutAWriteKey() async throws {
        try await withApp { _, client in
            for depth in [512, 513, 520, 10_000] {
                try await client.execute(
                    uri: "/v1/batch",
                    method: .post,
                    body: ByteBuffer(string: String(repeating: "[", count: depth))
                ) { response in
                    #expect(response.status == .badRequest)
                    #expect(String(buffer: response.body).contains("not valid JSON"))
                }
            }
        }
    }

    @Test func unknownRoutesAndMethodsGetAJSONError() async throws {
        try await withApp { _, client in
            for (uri, method) in [("/v1/nothing", HTTPRequest.Method.post), ("/v1/batch", .get), ("/", .put)] {
                try await client.execute(uri: uri, method: method) { response in
                    #expect(response.status == .notFound)
                    #expect(String(buffer: response.body).hasPrefix(#"{"success":false,"error":"no route for"#))
                }
            }
        }
    }
}
