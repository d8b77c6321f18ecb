import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import PatronCore
import PatronServer
import PatronStorage
import PatronTestSupport
import Testing

/// The segment and trigger endpoints of the admin API over in-process HTTP against a real SQLite file.
struct SegmentRoutesTests {
    static let token = "pat_test_token"

    /// A store with three `pro` customers (ann, bob, cat) and one `free` customer (dan).
    func withApp(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
        let store = try SQLiteStore(path: path.path)
        _ = try await store.ensureAdminToken(Self.token)
        let plans = [("ann", "pro"), ("bob", "pro"), ("cat", "pro"), ("dan", "free")]
        _ = try await store.importCustomers(
            plans.map { user, plan in
                ImportedCustomer(
                    identifiers: [Identifier(kind: Identifier.userIdKind, value: user)],
                    traits: ["plan": .string(plan)]
                )
            },
            asOf: Date()
        )
        let router = buildRouter(configuration: ServerConfiguration(), store: store)
        try await Application(router: router).test(.router) { client in try await body(client) }
    }

    func call(
        _ client: any TestClientProtocol,
        _ method: HTTPRequest.Method,
        _ uri: String,
        _ body: String? = nil,
        token: String? = Self.token
    ) async throws -> (HTTPResponse.Status, JSONValue) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(
            uri: uri,
            method: method,
            headers: headers,
            body: body.map { ByteBuffer(string: $0) }
        ) {
            ($0.status, (try? JSONValue.parse(Data($0.body.readableBytesView))) ?? .null)
        }
    }

    @Test func createListShowUpdatePreviewBackfillAndPageThroughMembers() async throws {
        try await withApp { client in
            let (created, segment) = try await call(
                client,
                .post,
                "/api/v1/segments",
                #"{"name":"Pro plan","condition":{"trait":"plan","op":"eq","value":"pro"}}"#
            )
            #expect(created == .created)
            #expect(segment["name"]?.stringValue == "Pro plan")
            #expect(segment["condition"]?["trait"]?.stringValue == "plan")
            #expect(segment["members"]?.numberValue == 3)
            #expect(segment["createdAt"]?.stringValue != nil)

            let (_, listed) = try await call(client, .get, "/api/v1/segments")
            let segments = try #require(listed["segments"]?.arrayValue)
            #expect(segments.map { $0["name"]?.stringValue } == ["Pro plan"])
            #expect(segments.first?["members"]?.numberValue == 3)

            let (shown, one) = try await call(client, .get, "/api/v1/segments/Pro%20plan")
            #expect(shown == .ok)
            #expect(one["condition"]?["value"]?.stringValue == "pro")

            let (previewed, preview) = try await call(
                client,
                .post,
                "/api/v1/segments/preview",
                #"{"trait":"plan","op":"eq","value":"free"}"#
            )
            #expect(previewed == .ok)
            #expect(preview["count"]?.numberValue == 1)
            #expect(try await call(client, .get, "/api/v1/segments").1["segments"]?.arrayValue?.count == 1)

            let (updated, replaced) = try await call(
                client,
                .put,
                "/api/v1/segments/Pro%20plan?backfill=false",
                #"{"condition":{"trait":"plan","op":"in","value":["pro","free"]}}"#
            )
            #expect(updated == .ok)
            #expect(replaced["condition"]?["op"]?.stringValue == "in")
            #expect(replaced["members"]?.numberValue == 3)  // not recomputed yet

            let (backfilled, change) = try await call(client, .post, "/api/v1/segments/Pro%20plan/backfill")
            #expect(backfilled == .ok)
            #expect(change["entered"]?.numberValue == 1)
            #expect(change["exited"]?.numberValue == 0)
            #expect(change["members"]?.numberValue == 4)

            let (_, first) = try await call(client, .get, "/api/v1/segments/Pro%20plan/members?limit=3")
            let firstIds = (first["members"]?.arrayValue ?? []).compactMap(\.numberValue)
            let cursor = try #require(first["nextCursor"]?.stringValue)
            #expect(firstIds.count == 3)
            let (_, second) = try await call(
                client,
                .get,
                "/api/v1/segments/Pro%20plan/members?limit=3&cursor=\(cursor)"
            )
            let secondIds = (second["members"]?.arrayValue ?? []).compactMap(\.numberValue)
            #expect(secondIds.count == 1)
            #expect(second["nextCursor"] == nil)
            #expect(firstIds + secondIds == (firstIds + secondIds).sorted())
            #expect(Set(firstIds + secondIds).count == 4)

            let (_, stays) = try await call(client, .get, "/api/v1/customers/dan/segments")
            let stay = try #require(stays["segments"]?.arrayValue?.first)
            #expect(stay["segment"]?.stringValue == "Pro plan")
            #expect(stay["enteredAt"]?.stringValue != nil)
            #expect(stay["exitedAt"] == nil)
            #expect(try await call(client, .get, "/api/v1/customers/nobody/segments").0 == .notFound)
        }
    }

    @Test func errorsSayWhatIsWrong() async throws {
        try await withApp { client in
            let condition = #"{"trait":"plan","op":"eq","value":"pro"}"#
            let (unauthorized, _) = try await call(client, .get, "/api/v1/segments", token: nil)
            #expect(unauthorized == .unauthorized)

            let (malformed, notJSON) = try await call(client, .post, "/api/v1/segments", #"{"name":"a","#)
            #expect(malformed == .badRequest)
            #expect(notJSON["error"]?.stringValue?.contains("not valid JSON") == true)
            #expect(notJSON["error"]?.stringValue?.contains("at byte") == true)  // where the JSON breaks

            let (invalid, badCondition) = try await call(
                client,
                .post,
                "/api/v1/segments",
                #"{"name":"a","condition":{"all":[{"trait":"plan","op":"near","value":"pro"}]}}"#
            )
            #expect(invalid == .badRequest)
            #expect(badCondition["error"]?.stringValue?.hasPrefix("condition.all[0]") == true)
            #expect(try await call(client, .post, "/api/v1/segments", #"{"condition":\#(condition)}"#).0 == .badRequest)
            #expect(try await call(client, .post, "/api/v1/segments", #"{"name":"a"}"#).0 == .badRequest)
            #expect(try await call(client, .post, "/api/v1/segments/preview", #"{"plan":"pro"}"#).0 == .badRequest)

            #expect(
                try await call(client, .post, "/api/v1/segments", #"{"name":"a","condition":\#(condition)}"#).0
                    == .created
            )
            let (duplicate, taken) = try await call(
                client,
                .post,
                "/api/v1/segments",
                #"{"name":"a","condition":\#(condition)}"#
            )
            #expect(duplicate == .conflict)
            #expect(taken["error"]?.stringValue?.contains("'a'") == true)
            let (unknown, missing) = try await call(
                client,
                .post,
                "/api/v1/segments",
                #"{"name":"b","condition":{"segment":"nowhere"}}"#
            )
            #expect(unknown == .notFound)
            #expect(missing["error"]?.stringValue?.contains("nowhere") == true)
            let (cycle, _) = try await call(client, .put, "/api/v1/segments/a", #"{"condition":{"segment":"a"}}"#)
            #expect(cycle == .badRequest)

            // A segment may be called like the preview endpoint and still be read.
            #expect(
                try await call(client, .post, "/api/v1/segments", #"{"name":"preview","condition":\#(condition)}"#).0
                    == .created
            )
            let (previewSegment, shown) = try await call(client, .get, "/api/v1/segments/preview")
            #expect(previewSegment == .ok)
            #expect(shown["name"]?.stringValue == "preview")
            #expect(try await call(client, .put, "/api/v1/segments/preview", #"{"condition":\#(condition)}"#).0 == .ok)
            #expect(try await call(client, .post, "/api/v1/segments/preview/backfill").0 == .ok)

            #expect(try await call(client, .get, "/api/v1/segments/nowhere").0 == .notFound)
            #expect(
                try await call(client, .put, "/api/v1/segments/nowhere", #"{"condition":\#(condition)}"#).0 == .notFound
            )
            #expect(try await call(client, .post, "/api/v1/segments/nowhere/backfill").0 == .notFound)
            #expect(try await call(client, .get, "/api/v1/segments/nowhere/members").0 == .notFound)
            #expect(try await call(client, .get, "/api/v1/segments/a/members?cursor=x").0 == .badRequest)
            #expect(try await call(client, .get, "/api/v1/segments/a/members?limit=0").0 == .badRequest)
            let (badFlag, flag) = try await call(
                client,
                .put,
                "/api/v1/segments/a?backfill=maybe",
                #"{"condition":\#(condition)}"#
            )
            #expect(badFlag == .badRequest)
            #expect(flag["error"]?.stringValue?.contains("backfill") == true)
        }
    }

    @Test func triggersAreCreatedAndListed() async throws {
        try await withApp { client in
            #expect(
                try await call(
                    client,
                    .post,
                    "/api/v1/segments",
                    #"{"name":"pro","condition":{"trait":"plan","op":"eq","value":"pro"}}"#
                ).0 == .created
            )
            #expect(
                try await call(
                    client,
                    .post,
                    "/api/v1/destinations",
                    #"{"name":"crm","url":"https://hooks.example.org/p"}"#
                )
                .0 == .created
            )
            let trigger = #"{"name":"welcome","event":"segment.entered","segment":"pro","destination":"crm"}"#
            let (created, answer) = try await call(client, .post, "/api/v1/triggers", trigger)
            #expect(created == .created)
            #expect(answer["event"]?.stringValue == "segment.entered")
            #expect(answer["segment"]?.stringValue == "pro")
            #expect(try await call(client, .post, "/api/v1/triggers", trigger).0 == .conflict)

            let (matched, eventTrigger) = try await call(
                client,
                .post,
                "/api/v1/triggers",
                #"{"name":"big-cart","event":"event.matched","eventName":"Cart Abandoned","destination":"crm","filter":{"properties":[{"property":"value","op":"gt","value":50}]}}"#
            )
            #expect(matched == .created)
            #expect(eventTrigger["eventName"]?.stringValue == "Cart Abandoned")
            #expect(eventTrigger["filter"]?["properties"]?.arrayValue?.count == 1)  // an object, not JSON text
            let (badFilter, filterError) = try await call(
                client,
                .post,
                "/api/v1/triggers",
                #"{"name":"f","event":"event.matched","eventName":"x","destination":"crm","filter":{"properties":[{"property":"value","op":"near","value":1}]}}"#
            )
            #expect(badFilter == .badRequest)
            #expect(filterError["error"]?.stringValue?.hasPrefix("filter.properties[0].op") == true)

            let (scored, scoreTrigger) = try await call(
                client,
                .post,
                "/api/v1/triggers",
                #"{"name":"churn","event":"score.changed","destination":"crm","condition":{"score":"probabilityAlive","op":"lt","value":0.5}}"#
            )
            #expect(scored == .created)
            #expect(scoreTrigger["segment"]?.stringValue == "score:churn")
            #expect(
                try await call(
                    client,
                    .post,
                    "/api/v1/triggers",
                    #"{"name":"c","event":"score.changed","destination":"crm","condition":{"trait":"plan","op":"exists"}}"#
                ).0 == .badRequest
            )

            let (listed, list) = try await call(client, .get, "/api/v1/triggers")
            #expect(listed == .ok)
            let triggers = list["triggers"]?.arrayValue ?? []
            #expect(triggers.map { $0["name"]?.stringValue } == ["big-cart", "churn", "welcome"])
            #expect(triggers.map { $0["event"]?.stringValue } == ["event.matched", "score.changed", "segment.entered"])
            #expect(triggers.last?["destination"]?.stringValue == "crm")

            let (unknownEvent, message) = try await call(
                client,
                .post,
                "/api/v1/triggers",
                #"{"name":"t","event":"segment.left","segment":"pro","destination":"crm"}"#
            )
            #expect(unknownEvent == .badRequest)
            #expect(message["error"]?.stringValue?.contains("event.matched") == true)
            #expect(
                try await call(
                    client,
                    .post,
                    "/api/v1/triggers",
                    #"{"name":"t","event":"segment.exited","segment":"nowhere","destination":"crm"}"#
                ).0 == .notFound
            )
            for incomplete in [
                #"{"name":"t","event":"segment.exited","segment":"pro"}"#,
                #"{"name":"t","event":"segment.exited","destination":"crm"}"#,
                #"{"name":"t","event":"event.matched","destination":"crm"}"#,
                #"{"name":"t","event":"score.changed","destination":"crm"}"#,
            ] {
                #expect(try await call(client, .post, "/api/v1/triggers", incomplete).0 == .badRequest, "\(incomplete)")
            }
            #expect(try await call(client, .get, "/api/v1/triggers", token: "wrong").0 == .unauthorized)
        }
    }

    @Test func theOpenAPIDocumentListsTheSegmentEndpoints() async throws {
        try await withApp { client in
            let (_, document) = try await call(client, .get, "/openapi.json")
            for path in [
                "/api/v1/segments", "/api/v1/segments/preview", "/api/v1/segments/{name}",
                "/api/v1/segments/{name}/backfill", "/api/v1/segments/{name}/members",
                "/api/v1/customers/{id}/segments", "/api/v1/triggers",
            ] {
                #expect(document["paths"]?[path] != nil, "\(path)")
            }
            #expect(document["paths"]?["/api/v1/segments"]?["post"]?["responses"]?["409"] != nil)
            #expect(document["paths"]?["/api/v1/segments/{name}"]?["put"] != nil)
            #expect(document["components"]?["schemas"]?["Segment"] != nil)
            #expect(document["components"]?["schemas"]?["Trigger"] != nil)
            // The fragments are merged into the document, not replacing it.
            #expect(document["paths"]?["/api/v1/destinations"] != nil)
        }
    }
}
