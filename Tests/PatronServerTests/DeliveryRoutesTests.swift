import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import PatronCore
import PatronServer
import PatronStorage
import PatronTestSupport
import Testing

/// The webhook admin endpoints over in-process HTTP against a real SQLite file.
struct DeliveryRoutesTests {
    static let token = "pat_test_token"

    func call(
        _ client: any TestClientProtocol,
        _ method: HTTPRequest.Method,
        _ uri: String,
        _ body: String? = nil
    ) async throws -> (HTTPResponse.Status, JSONValue) {
        try await client.execute(
            uri: uri,
            method: method,
            headers: [.authorization: "Bearer \(Self.token)", .contentType: "application/json"],
            body: body.map { ByteBuffer(string: $0) }
        ) { ($0.status, (try? JSONValue.parse(Data($0.body.readableBytesView))) ?? .null) }
    }

    @Test func destinationsAndTheOutboxOverTheAdminAPI() async throws {
        let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
        let store = try SQLiteStore(path: path.path)
        _ = try await store.ensureAdminToken(Self.token)
        let router = buildRouter(configuration: ServerConfiguration(), store: store)
        try await Application(router: router).test(.router) { client in
            let (created, answer) = try await call(
                client,
                .post,
                "/api/v1/destinations",
                #"{"name":"email-tool","url":"https://hooks.example.org/p","headers":{"X-Key":"k"}}"#
            )
            #expect(created == .created)
            #expect(answer["secret"]?.stringValue?.hasPrefix("whsec_") == true)
            #expect(
                try await call(client, .post, "/api/v1/destinations", #"{"name":"email-tool","url":"https://x.org"}"#).0
                    == .conflict
            )
            #expect(
                try await call(client, .post, "/api/v1/destinations", #"{"name":"f","url":"ftp://x.org"}"#).0
                    == .badRequest
            )
            #expect(try await call(client, .post, "/api/v1/destinations", #"{"url":"https://x.org"}"#).0 == .badRequest)
            let (_, listed) = try await call(client, .get, "/api/v1/destinations")
            let first = try #require(listed["destinations"]?.arrayValue?.first)
            #expect(first["headerNames"]?.arrayValue?.first?.stringValue == "X-Key")
            #expect(first["secrets"] == nil)  // secrets are never listed
            let (_, rotated) = try await call(client, .post, "/api/v1/destinations/email-tool/rotate-secret")
            #expect(rotated["newSecret"]?.stringValue?.hasPrefix("whsec_") == true)
            #expect(try await call(client, .post, "/api/v1/destinations/nobody/test").0 == .notFound)
            let (queued, test) = try await call(client, .post, "/api/v1/destinations/email-tool/test")
            #expect(queued == .ok)
            let (_, outbox) = try await call(client, .get, "/api/v1/deliveries?status=pending")
            #expect(outbox["deliveries"]?.arrayValue?.first?["webhookId"] == test["webhookId"])
            #expect(try await call(client, .get, "/api/v1/deliveries?status=lost").0 == .badRequest)
            let (_, replayed) = try await call(client, .post, "/api/v1/deliveries/replay?destination=email-tool")
            #expect(replayed["requeued"]?.numberValue == 0)  // nothing is dead yet
            #expect(try await call(client, .post, "/api/v1/deliveries/replay?id=x").0 == .badRequest)
            // Consent: unknown customer 404, bad body 400, revoke then read back.
            _ = try await store.importCustomers(
                [ImportedCustomer(identifiers: [Identifier(kind: Identifier.userIdKind, value: "ann")], traits: [:])],
                asOf: Date()
            )
            #expect(
                try await call(
                    client,
                    .post,
                    "/api/v1/customers/nobody/consent",
                    #"{"purpose":"email","granted":false}"#
                ).0 == .notFound
            )
            #expect(
                try await call(client, .post, "/api/v1/customers/ann/consent", #"{"purpose":"email","granted":"no"}"#).0
                    == .badRequest
            )
            let (revoked, consent) = try await call(
                client,
                .post,
                "/api/v1/customers/ann/consent",
                #"{"purpose":"email","granted":false}"#
            )
            #expect(revoked == .ok)
            #expect(consent["consent"]?.arrayValue?.first?["granted"] == .bool(false))
            #expect(consent["consent"]?.arrayValue?.first?["source"]?.stringValue == "api")
            #expect(
                try await call(
                    client,
                    .post,
                    "/api/v1/destinations",
                    #"{"name":"c","url":"https://x.org","cap":"3/year"}"#
                ).0 == .badRequest
            )
            let (_, document) = try await call(client, .get, "/openapi.json")
            for path in [
                "/api/v1/destinations", "/api/v1/deliveries", "/api/v1/deliveries/replay", "/api/v1/reports/value",
            ] {
                #expect(document["paths"]?[path] != nil, "\(path)")
            }
        }
    }
}
