import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PatronCore
import PatronInsights
import PatronServer
import PatronStorage
import PatronTestSupport
import Testing

/// The insight endpoints, and the real-time re-score of the processing service, over in-process
/// HTTP against a real SQLite file.
struct InsightsRoutesTests {
    static let token = "pat_test_token"

    /// 400 customers with seeded purchase histories over 2025 (daily rate and dropout vary).
    static func history() -> [ImportedTransaction] {
        var rows: [ImportedTransaction] = []
        var state: UInt64 = 42
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        let start = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01
        for customer in 0..<400 {
            let rate = 0.002 + 0.03 * uniform()
            let lifetime = -log(1 - uniform()) * 200
            var day = Double(Int(uniform() * 120))
            var order = 0
            while day < 365 {
                rows.append(
                    ImportedTransaction(
                        customer: .userId("c\(customer)"),
                        orderId: "c\(customer)-\(order)",
                        timestamp: start.addingTimeInterval(day.rounded(.down) * 86_400),
                        amount: 10 + 40 * uniform(),
                        currency: "EUR"
                    )
                )
                order += 1
                day += -log(1 - uniform()) / rate
                if day > lifetime { break }
            }
        }
        return rows
    }

    func withApp(_ body: @Sendable (SQLiteStore, any TestClientProtocol) async throws -> Void) async throws {
        let path = TemporaryFiles.directory.appendingPathComponent("patron-\(UUID().uuidString).sqlite")
            .path
        let store = try SQLiteStore(path: path)
        try await store.addWriteKey("wk_test", source: "web")
        _ = try await store.ensureAdminToken(Self.token)
        _ = try await store.importTransactions(Self.history())
        let router = buildRouter(configuration: ServerConfiguration(), store: store)
        try await Application(router: router).test(.router) { client in try await body(store, client) }
    }

    func get(_ client: any TestClientProtocol, _ uri: String) async throws -> (HTTPResponse.Status, JSONValue) {
        try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(Self.token)"]) {
            ($0.status, (try? JSONValue.parse(Data($0.body.readableBytesView))) ?? .null)
        }
    }

    @Test func reportsAndScoresBeforeAndAfterAFit() async throws {
        try await withApp { store, client in
            #expect(try await get(client, "/api/v1/reports/trend").0 == .notFound)
            #expect(try await get(client, "/api/v1/reports/roi").0 == .notFound)  // imported customers: no channel
            let (missing, error) = try await get(client, "/api/v1/reports/value")
            #expect(missing == .notFound)
            #expect(error["error"]?.stringValue?.contains("patron fit") == true)
            let (_, empty) = try await get(client, "/api/v1/customers/c1/scores")
            #expect(empty["current"] == .null)
            #expect(empty["history"]?.arrayValue?.isEmpty == true)

            let fit = try await ValueModelFitter(store: store).fit(StoreFitOptions(model: "bgnbd", holdoutDays: 0))
            let (status, report) = try await get(client, "/api/v1/reports/value?top=3")
            #expect(status == .ok)
            #expect(report["customers"]?.numberValue == Double(fit.customersScored))
            #expect(report["topCustomers"]?.arrayValue?.count == 3)
            #expect(report["model"]?["conventions"]?.stringValue?.contains("1.0 % per month") == true)
            #expect(report["tiers"]?.arrayValue?.count == 4)
            let (_, models) = try await get(client, "/api/v1/models")
            #expect(models["versions"]?.arrayValue?.count == 1)
            #expect(models["versions"]?.arrayValue?.first?["comparison"]?["final"]?["model"]?.stringValue == "bgnbd")
            let (_, scores) = try await get(client, "/api/v1/customers/c1/scores")
            #expect(scores["current"]?["modelVersionId"]?.numberValue == Double(fit.version.id))
            #expect(scores["history"]?.arrayValue?.count == 1)
            #expect(try await get(client, "/api/v1/models?limit=0").0 == .badRequest)
            #expect(try await get(client, "/api/v1/reports/value?top=-1").0 == .badRequest)
            let (rfmStatus, rfm) = try await get(client, "/api/v1/reports/rfm")
            #expect(rfmStatus == .ok)
            #expect(rfm["customers"]?.numberValue == 400)
            #expect(rfm["grid"]?.arrayValue?.count == 5)
            let (cohortStatus, cohorts) = try await get(client, "/api/v1/reports/cohorts")
            #expect(cohortStatus == .ok)
            let months = cohorts["cohorts"]?.arrayValue ?? []
            #expect(months.first?["month"]?.stringValue == "2025-01")
            #expect(months.reduce(0) { $0 + ($1["customers"]?.numberValue ?? 0) } == 400)
            #expect(months.first?["predictedValuePerCustomer"]?.numberValue != nil)
            // Imported customers have no acquisition channel, so only first-order value can drive value.
            #expect(try await get(client, "/api/v1/reports/drivers?driver=channel").0 == .notFound)
            #expect(try await get(client, "/api/v1/reports/drivers?driver=colour").0 == .badRequest)
            #expect(try await get(client, "/api/v1/reports/drivers?model=xyz").0 == .badRequest)
            #expect(try await get(client, "/api/v1/reports/drivers?draws=-1").0 == .badRequest)
            let (driversStatus, drivers) = try await get(client, "/api/v1/reports/drivers?draws=50")
            #expect(driversStatus == .ok)
            #expect(drivers["model"]?.stringValue == "bgnbd")  // the active version's model
            #expect(drivers["effects"]?.arrayValue?.map { $0["driver"]?.stringValue } == ["first-order-value"])
            #expect(
                drivers["warnings"]?.arrayValue?.contains { $0.stringValue?.contains("channel left out") == true }
                    == true
            )
            let (_, document) = try await get(client, "/openapi.json")
            for path in [
                "/api/v1/customers/{id}/scores", "/api/v1/models", "/api/v1/reports/value", "/api/v1/reports/rfm",
                "/api/v1/reports/cohorts", "/api/v1/reports/trend", "/api/v1/reports/roi", "/api/v1/reports/drivers",
                "/api/v1/spend",
                "/v1/batch",
            ] {
                #expect(document["paths"]?[path] != nil, "\(path) in /openapi.json")
            }
            #expect(document["components"]?["schemas"]?["CustomerScore"] != nil)
            #expect(document["components"]?["schemas"]?["DriversReport"] != nil)
        }
    }

    func post(
        _ client: any TestClientProtocol,
        _ uri: String,
        _ body: String
    ) async throws
        -> (HTTPResponse.Status, JSONValue)
    {
        try await client.execute(
            uri: uri,
            method: .post,
            headers: [.authorization: "Bearer \(Self.token)", .contentType: "application/json"],
            body: ByteBuffer(string: body)
        ) {
            ($0.status, (try? JSONValue.parse(Data($0.body.readableBytesView))) ?? .null)
        }
    }

    /// `POST /api/v1/spend` stores spend rows idempotently and names the row and field of bad input.
    @Test func spendOverTheAdminAPI() async throws {
        try await withApp { store, client in
            let rows =
                #"{"rows":[{"date":"2025-01-15","channel":"Email","amount":120.5,"campaign":"spring","currency":"eur"},"#
                + #"{"date":"2025-02-15","channel":"paid search","amount":80}]}"#
            let (status, answer) = try await post(client, "/api/v1/spend", rows)
            #expect(status == .ok)
            #expect(answer["imported"]?.numberValue == 2)
            let (_, again) = try await post(client, "/api/v1/spend", rows)
            #expect(again["alreadyPresent"]?.numberValue == 2)
            let months = try await store.channelMonths()
            #expect(months.first { $0.channel == "email" }?.spend == 120.5)
            for (body, message) in [
                (
                    #"{"rows":[{"date":"2025-01-15","channel":"email","amount":1},{"date":"2025-01-16","channel":"email","amount":-3}]}"#,
                    "rows[1].amount"
                ),
                (#"{"rows":[{"date":"2025-13-01","channel":"email","amount":1}]}"#, "rows[0].date"),
                (#"{"rows":[{"date":"2025-01-01","channel":" ","amount":1}]}"#, "rows[0].channel"),
                (#"{"rows":[{"date":"2025-01-01","channel":"tv","amount":1,"currency":"euro"}]}"#, "rows[0].currency"),
                (#"{"data":[]}"#, "`rows` array"),
                ("{", "invalid JSON"),
            ] {
                let (bad, error) = try await post(client, "/api/v1/spend", body)
                #expect(bad == .badRequest, "\(body)")
                #expect(error["error"]?.stringValue?.contains(message) == true, "\(error)")
            }
            #expect(try await store.channelMonths().reduce(0) { $0 + $1.spend } == 200.5)  // nothing of a bad request
        }
    }

    @Test func anOrderOverHTTPIsReScoredByTheProcessingService() async throws {
        try await withApp { store, client in
            _ = try await ValueModelFitter(store: store).fit(StoreFitOptions(model: "bgnbd", holdoutDays: 0))
            let service = ProcessingService(store: store, metrics: ServerMetrics(), logger: Logger(label: "test"))
            let processing = Task { try await service.run() }
            defer { processing.cancel() }
            let order = #"""
                {"batch":[{"type":"track","userId":"c1","event":"Order Completed","messageId":"live-1","properties":{"order_id":"live-1","revenue":75}}]}
                """#
            try await client.execute(
                uri: "/v1/batch",
                method: .post,
                headers: [.authorization: "Basic " + Data("wk_test:".utf8).base64EncodedString()],
                body: ByteBuffer(string: order)
            ) { #expect($0.status == .ok) }
            // The issue asks for ≤ 1 s; the test allows 10 s so a loaded machine cannot make it flaky
            // (the latency is measured in BENCHMARKS.md).
            let deadline = ContinuousClock.now + .seconds(10)
            var reasons: [String] = []
            while ContinuousClock.now < deadline {
                let (_, scores) = try await get(client, "/api/v1/customers/c1/scores")
                reasons = scores["history"]?.arrayValue?.compactMap { $0["reason"]?.stringValue } ?? []
                if reasons.contains("order") { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(reasons == ["batch", "order"])
        }
    }

    @Test func theRefitServiceFitsAndScoresOnItsSchedule() async throws {
        try await withApp { store, _ in
            #expect(try await store.activeModelVersion() == nil)
            let service = RefitService(store: store, interval: .milliseconds(100), logger: Logger(label: "test"))
            let refits = Task { try await service.run() }
            defer { refits.cancel() }
            let deadline = ContinuousClock.now + .seconds(20)
            while try await store.activeModelVersion() == nil, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            let version = try #require(try await store.activeModelVersion())
            #expect(version.customers == 400)
            #expect(try await store.scores(limit: 1000).count == 400)
        }
    }
}
