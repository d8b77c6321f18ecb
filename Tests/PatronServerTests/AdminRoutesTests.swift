import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import PatronCore
import PatronServer
import PatronStorage
import PatronTestSupport
import Testing

/// In-process tests of the admin API, `/metrics` and `/openapi.json` against a real SQLite file.
struct AdminRoutesTests {
    static let token = "pat_test_token"

    func withApp(_ body: @Sendable (SQLiteStore, any TestClientProtocol) async throws -> Void) async throws {
        let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
            .path
        let store = try SQLiteStore(path: path)
        try await store.addWriteKey("wk_test", source: "web")
        #expect(try await store.ensureAdminToken(Self.token) == nil)
        let router = buildRouter(configuration: ServerConfiguration(), store: store)
        try await Application(router: router).test(.router) { client in try await body(store, client) }
    }

    static let events = #"""
        {"batch":[
         {"type":"identify","userId":"u1","anonymousId":"a1","messageId":"m1","traits":{"email":"Ann@Example.com","plan":"pro"}},
         {"type":"page","anonymousId":"a1","messageId":"m2","context":{"campaign":{"source":"google","medium":"cpc"}}},
         {"type":"track","userId":"u1","event":"Order Completed","messageId":"m3","properties":{"order_id":"o1","revenue":20}},
         {"type":"identify","userId":"u2","messageId":"m4","traits":{"plan":"free"}},
         {"type":"track","event":"No identity","messageId":"m5"}
        ]}
        """#

    func ingest(_ client: any TestClientProtocol, _ store: SQLiteStore) async throws {
        try await client.execute(
            uri: "/v1/batch",
            method: .post,
            headers: [.authorization: "Basic " + Data("wk_test:".utf8).base64EncodedString()],
            body: ByteBuffer(string: Self.events)
        ) { #expect($0.status == .ok) }
        try await store.processAll()
    }

    func get(
        _ client: any TestClientProtocol,
        _ uri: String,
        token: String? = Self.token
    ) async throws -> (HTTPResponse.Status, JSONValue) {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: uri, method: .get, headers: headers) { response in
            (response.status, (try? JSONValue.parse(Data(response.body.readableBytesView))) ?? .null)
        }
    }

    @Test func theAdminApiNeedsTheBearerToken() async throws {
        try await withApp { _, client in
            let (missing, body) = try await get(client, "/api/v1/ingest/status", token: nil)
            #expect(missing == .unauthorized)
            #expect(body["error"]?.stringValue?.contains("Bearer") == true)
            #expect(try await get(client, "/api/v1/ingest/status", token: "wrong").0 == .unauthorized)
            #expect(try await get(client, "/api/v1/ingest/status").0 == .ok)
        }
    }

    @Test func aCustomerIsFoundByAnyOfItsIds() async throws {
        try await withApp { store, client in
            try await ingest(client, store)
            let (status, byUser) = try await get(client, "/api/v1/customers/u1")
            #expect(status == .ok)
            #expect(try await get(client, "/api/v1/customers/a1").1["id"] == byUser["id"])
            #expect(try await get(client, "/api/v1/customers/ann%40example.com").1["id"] == byUser["id"])
            #expect(byUser["eventCount"] == .number(3))
            #expect(byUser["transactionCount"] == .number(1))
            #expect(byUser["revenue"] == .number(20))
            #expect(byUser["traits"]?["plan"] == .string("pro"))
            #expect(byUser["acquisition"]?["channel"] == .string("paid search"))
            #expect(byUser["firstSeen"]?.stringValue?.hasSuffix("Z") == true)
            let (missing, error) = try await get(client, "/api/v1/customers/nobody")
            #expect(missing == .notFound)
            #expect(error["error"]?.stringValue?.contains("nobody") == true)
        }
    }

    @Test func eventsTransactionsAndIdentityOfACustomer() async throws {
        try await withApp { store, client in
            try await ingest(client, store)
            let events = try await get(client, "/api/v1/customers/u1/events?limit=2").1["events"]?.arrayValue ?? []
            #expect(events.count == 2)
            #expect(events.allSatisfy { $0["messageId"] != nil && $0["receivedAt"] != nil })
            let transactions = try await get(client, "/api/v1/customers/u1/transactions").1["transactions"]?.arrayValue
            #expect(transactions?.first?["orderId"] == .string("o1"))
            #expect(try await get(client, "/api/v1/customers/u1/identity").0 == .ok)
            #expect(try await get(client, "/api/v1/customers/u1/events?limit=0").0 == .badRequest)
        }
    }

    @Test func customersArePagedAndFilteredByTrait() async throws {
        try await withApp { store, client in
            try await ingest(client, store)
            let pro = try await get(client, "/api/v1/customers?trait=plan:pro").1
            #expect(pro["customers"]?.arrayValue?.count == 1)
            let all = try await get(client, "/api/v1/customers?trait=plan&limit=1").1
            #expect(all["customers"]?.arrayValue?.count == 1)
            let cursor = try #require(all["nextCursor"]?.stringValue)
            let next = try await get(client, "/api/v1/customers?trait=plan&limit=1&cursor=\(cursor)").1
            #expect(next["customers"]?.arrayValue?.first?["id"] != all["customers"]?.arrayValue?.first?["id"])
            #expect(try await get(client, "/api/v1/customers?cursor=abc").0 == .badRequest)
        }
    }

    @Test func quarantineStatusMetricsAndOpenAPI() async throws {
        try await withApp { store, client in
            try await ingest(client, store)
            let quarantine = try await get(client, "/api/v1/quarantine?reason=missingIdentity").1["events"]?.arrayValue
            #expect(quarantine?.count == 1)
            #expect(try await get(client, "/api/v1/quarantine?reason=bogus").0 == .badRequest)
            let status = try await get(client, "/api/v1/ingest/status").1
            #expect(status["storedEvents"] == .number(4) && status["pendingEvents"] == .number(0))
            let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(metrics.contains("patron_events_accepted_total 4"))
            #expect(metrics.contains(#"patron_events_quarantined_total{reason="missingIdentity"} 1"#))
            #expect(metrics.contains("patron_http_request_duration_seconds_bucket"))
            let document = try await get(client, "/openapi.json", token: nil).1
            for path in ["/v1/batch", "/api/v1/customers/{id}", "/api/v1/customers", "/api/v1/quarantine", "/metrics"] {
                #expect(document["paths"]?[path] != nil, "\(path) is documented")
            }
        }
    }
}
