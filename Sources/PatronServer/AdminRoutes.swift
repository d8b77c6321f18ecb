import Foundation
import Hummingbird
import PatronCore
import PatronInsights
import PatronStorage

/// The admin API under `/api/v1`, behind `Authorization: Bearer <admin token>`: customers by any of
/// their ids, customer lists filtered by trait, a customer's events, transactions and identity
/// history, the quarantine, the ingest status, and the insights (scores, model versions, value report);
/// webhooks, segments and triggers are registered by ``DeliveryRoutes``, ``SegmentRoutes`` and
/// ``TriggerRoutes``.
struct AdminRoutes: Sendable {
    let store: SQLiteStore

    func register(on router: Router<BasicRequestContext>) {
        let api = router.group("api/v1").add(middleware: AdminAuthentication(store: store))
        api.get("ingest/status") { _, _ in await answer { try await store.ingestStatus() } }
        api.get("customers") { request, _ in try await listCustomers(request) }
        api.get("customers/:id") { _, context in
            await withCustomer(context) { id in try await store.customer(id: id) }
        }
        api.get("customers/:id/events") { request, context in
            let limit = request.uri.queryParameters.get("limit", as: Int.self) ?? 100
            guard (1...1000).contains(limit) else { return JSONResponse.error(400, "limit must be 1…1000") }
            return await withCustomer(context) { id in ["events": try await store.events(customer: id, limit: limit)] }
        }
        api.get("customers/:id/transactions") { _, context in
            await withCustomer(context) { id in ["transactions": try await store.transactions(customer: id)] }
        }
        api.get("customers/:id/identity") { _, context in
            await withCustomer(context) { id in ["audit": try await store.identityAudit(customer: id)] }
        }
        api.get("customers/:id/scores") { _, context in
            await withCustomer(context) { id in
                CustomerScores(
                    current: try await store.score(customerId: id),
                    history: try await store.scoreHistory(customerId: id)
                )
            }
        }
        api.get("models") { request, _ in
            let limit = request.uri.queryParameters.get("limit", as: Int.self) ?? 20
            guard (1...500).contains(limit) else { return JSONResponse.error(400, "limit must be 1…500") }
            return await answer {
                ModelVersionList(
                    versions: try await store.modelVersions(limit: limit).map {
                        ModelVersionList.Entry(version: $0, comparison: ValueModelFitter.comparison(of: $0))
                    }
                )
            }
        }
        api.get("reports/value") { request, _ in
            let top = request.uri.queryParameters.get("top", as: Int.self) ?? 10
            guard (0...1000).contains(top) else { return JSONResponse.error(400, "top must be 0…1000") }
            return await report { try await ValueReport.build(store: store, top: top) }
        }
        api.get("reports/rfm") { _, _ in await report { try await RFMReport.build(store: store) } }
        api.get("reports/trend") { _, _ in await report { try await TrendReport.build(store: store) } }
        api.get("reports/roi") { _, _ in await report { try await ROIReport.build(store: store) } }
        api.get("reports/cohorts") { _, _ in await report { try await CohortReport.build(store: store) } }
        api.get("reports/drivers") { request, _ in await drivers(request) }
        api.post("spend") { request, _ in await importSpend(request) }
        DeliveryRoutes(store: store).register(on: api)
        SegmentRoutes(store: store).register(on: api)
        TriggerRoutes(store: store).register(on: api)
        api.get("quarantine") { request, _ in
            let limit = request.uri.queryParameters.get("limit", as: Int.self) ?? 100
            guard (1...1000).contains(limit) else { return JSONResponse.error(400, "limit must be 1…1000") }
            let reason = request.uri.queryParameters.get("reason")
            if let reason, QuarantineReason(rawValue: reason) == nil {
                let known = QuarantineReason.allCases.map(\.rawValue).joined(separator: ", ")
                return JSONResponse.error(400, "unknown reason '\(reason)'; one of \(known)")
            }
            return await answer { ["events": try await store.quarantined(limit: limit, reason: reason)] }
        }
    }

    /// `POST /api/v1/spend`: marketing spend rows, idempotent like `patron import spend` (a row for
    /// the same day, channel and campaign replaces the stored amount).
    func importSpend(_ request: Request) async -> Response {
        let rows: [SpendRow]
        do {
            let buffer = try await request.body.collect(upTo: 4 << 20)
            rows = try SpendRequest.parse(Data(buffer.readableBytesView))
        } catch let error as IngestRequestError {
            return JSONResponse.error(error.status, error.message)
        } catch {
            return JSONResponse.error(413, "the body exceeds 4 MiB")
        }
        return await answer {
            let outcome = try await store.importSpend(rows)
            return ["imported": outcome.imported, "alreadyPresent": outcome.alreadyPresent]
        }
    }

    /// `GET /api/v1/reports/drivers?driver=…&model=…&maxCustomers=…&draws=…`.
    func drivers(_ request: Request) async -> Response {
        let query = request.uri.queryParameters
        let maximum = query.get("maxCustomers", as: Int.self) ?? 100_000
        let draws = query.get("draws", as: Int.self) ?? 400
        guard (100...10_000_000).contains(maximum) else {
            return JSONResponse.error(400, "maxCustomers must be 100…10000000")
        }
        guard (0...10_000).contains(draws) else { return JSONResponse.error(400, "draws must be 0…10000") }
        let names = query.getAll("driver")
        return await report {
            try await DriversReport.build(
                store: store,
                options: DriversOptions(
                    drivers: names.isEmpty
                        ? DriverSpecification.defaults
                        : try names.map { text throws(InsightsError) in try DriverSpecification(parsing: String(text))
                        },
                    model: try query.get("model").map { text throws(InsightsError) in
                        try PurchaseModelKind(identifier: text)
                    },
                    maximumCustomers: maximum,
                    draws: draws
                )
            )
        }
    }

    func listCustomers(_ request: Request) async throws(HTTPError) -> Response {
        let query = request.uri.queryParameters
        let page = try KeysetPage(request, defaultLimit: 50, maximumLimit: 500)
        var trait: (key: String, value: String?)?
        if let filter = query.get("trait") {
            let parts = filter.split(separator: ":", maxSplits: 1).map(String.init)
            guard let key = parts.first, !key.isEmpty else {
                return JSONResponse.error(400, "trait must be KEY or KEY:VALUE")
            }
            trait = (key, parts.count == 2 ? parts[1] : nil)
        }
        return await answer {
            let customers = try await store.customers(trait: trait, limit: page.limit, after: page.after)
            return CustomerPage(customers: customers, nextCursor: page.nextCursor(after: customers.map(\.id)))
        }
    }

    func withCustomer(
        _ context: BasicRequestContext,
        _ body: (Int64) async throws -> (some Encodable)?
    ) async -> Response {
        let raw = context.parameters.get("id") ?? ""
        let anyId = raw.removingPercentEncoding ?? raw
        do {
            guard let id = try await store.customerId(anyId: anyId), let value = try await body(id) else {
                return JSONResponse.error(404, "no customer has the id '\(anyId)'")
            }
            return JSONResponse.encoded(value)
        } catch {
            return JSONResponse.error(503, "the store is unavailable: \(error)")
        }
    }

    /// A report, or 404 when the store lacks the data for it (no transactions, no model yet).
    func report(_ body: () async throws -> some Encodable) async -> Response {
        do {
            return JSONResponse.encoded(try await body())
        } catch let error as InsightsError where error.code == .insufficientData {
            return JSONResponse.error(404, error.description)
        } catch let error as InsightsError where error.code == .invalidOption {
            return JSONResponse.error(400, error.description)
        } catch let error as InsightsError where error.code == .fitFailed {
            return JSONResponse.error(422, error.description)
        } catch {
            return JSONResponse.error(503, "the store is unavailable: \(error)")
        }
    }

    func answer(_ body: () async throws -> some Encodable) async -> Response {
        do {
            return JSONResponse.encoded(try await body())
        } catch {
            return JSONResponse.error(503, "the store is unavailable: \(error)")
        }
    }
}

/// A customer's current score (`null` before it is scored) and its history.
struct CustomerScores: Encodable {
    var current: CustomerScore?
    var history: [ScoreHistoryEntry]

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(current, forKey: .current)  // explicit null, not a missing key
        try container.encode(history, forKey: .history)
    }

    enum CodingKeys: String, CodingKey { case current, history }
}

/// Model versions with the comparison that chose each.
struct ModelVersionList: Encodable {
    struct Entry: Encodable {
        var version: ModelVersion
        var comparison: FitComparison?
    }

    var versions: [Entry]
}

/// A page of customers; pass `nextCursor` as `cursor` for the next page.
struct CustomerPage: Encodable {
    var customers: [CustomerProfile]
    var nextCursor: String?
}

/// Requires `Authorization: Bearer <admin token>`.
struct AdminAuthentication<Context: RequestContext>: RouterMiddleware {
    let store: SQLiteStore

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            return JSONResponse.error(401, "missing admin token: send Authorization: Bearer <token>")
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard (try? await store.isAdminToken(token)) == true else {
            return JSONResponse.error(401, "invalid admin token")
        }
        return try await next(request, context)
    }
}
