import Foundation
import Hummingbird
import PatronCore
import PatronStorage

/// The admin API of webhooks under `/api/v1`: destinations (create, list, rotate the secret, send a
/// test), the outbox (list deliveries, replay dead-lettered ones) and customers' consent (read, and
/// set, e.g. from an unsubscribe link).
struct DeliveryRoutes: Sendable {
    let store: SQLiteStore

    /// A destination as listed: everything but its secrets.
    struct Listed: Encodable {
        var id: Int64
        var name: String
        var url: String
        var headerNames: [String]
        var signingSecrets: Int
        var createdAt: Date
        var disabledAt: Date?
        var disabledReason: String?
        var purpose: String?
        var consentPolicy: String
        var cap: String?

        init(_ destination: Destination) {
            id = destination.id
            name = destination.name
            url = destination.url
            headerNames = destination.headers.keys.sorted()
            signingSecrets = destination.signingSecrets.count
            createdAt = destination.createdAt
            disabledAt = destination.disabledAt
            disabledReason = destination.disabledReason
            purpose = destination.purpose
            consentPolicy = destination.consentPolicy.rawValue
            cap = destination.frequencyCap?.description
        }
    }

    func register(on api: RouterGroup<BasicRequestContext>) {
        api.get("destinations") { _, _ in
            await answer { ["destinations": try await store.destinations().map(Listed.init)] }
        }
        api.post("destinations") { request, _ in try await create(request) }
        api.post("destinations/:name/rotate-secret") { _, context in
            await answer {
                let destination = try await store.rotateSecret(ofDestination: context.parameters.get("name") ?? "")
                return ["name": destination.name, "newSecret": destination.secrets.last ?? ""]
            }
        }
        api.post("destinations/:name/test") { _, context in
            await answer {
                let body = #"{"type":"test","sentAt":"\#(SegmentTimestamp.format(Date()))"}"#
                let queued = try await store.enqueueDelivery(
                    toDestination: context.parameters.get("name") ?? "",
                    eventType: "test",
                    payload: body
                )
                return ["webhookId": queued.webhookId]
            }
        }
        api.get("customers/:id/consent") { _, context in
            await AdminRoutes(store: store).withCustomer(context) { id in
                ["consent": try await store.consents(customerId: id)]
            }
        }
        api.post("customers/:id/consent") { request, context in
            let json = try await request.jsonObject(upTo: 16 * 1024)
            guard let purpose = json["purpose"]?.stringValue, !purpose.isEmpty,
                case .bool(let granted)? = json["granted"]
            else {
                return JSONResponse.error(
                    400,
                    #"the body must be {"purpose": "email" (or "all"), "granted": true|false}"#
                )
            }
            return await AdminRoutes(store: store).withCustomer(context) { id in
                try await store.setConsent(customerId: id, purpose: purpose, granted: granted, source: "api")
                return ["consent": try await store.consents(customerId: id)]
            }
        }
        api.get("deliveries") { request, _ in
            let query = request.uri.queryParameters
            let limit = query.get("limit", as: Int.self) ?? 100
            guard (1...1000).contains(limit) else { return JSONResponse.error(400, "limit must be 1…1000") }
            var status: Delivery.Status?
            if let text = query.get("status") {
                guard let parsed = Delivery.Status(rawValue: text) else {
                    return JSONResponse.error(
                        400,
                        "status must be pending, delivered, dead or suppressed, got '\(text)'"
                    )
                }
                status = parsed
            }
            let destination = query.get("destination")
            return await answer {
                ["deliveries": try await store.deliveries(status: status, destination: destination, limit: limit)]
            }
        }
        api.post("deliveries/replay") { request, _ in
            let query = request.uri.queryParameters
            let destination = query.get("destination")
            let ids = query.getAll("id").compactMap { Int64($0) }
            guard ids.count == query.getAll("id").count else {
                return JSONResponse.error(400, "every id must be a number")
            }
            return await answer {
                ["requeued": try await store.replayDeliveries(ids: ids.isEmpty ? nil : ids, destination: destination)]
            }
        }
    }

    /// `POST /api/v1/destinations` with `{"name", "url", "headers"?, "secret"?}`: 201 with the secret.
    func create(_ request: Request) async throws(HTTPError) -> Response {
        let json = try await request.jsonObject(upTo: 64 * 1024)
        guard let name = json["name"]?.stringValue, let url = json["url"]?.stringValue else {
            return JSONResponse.error(400, "name and url are required strings")
        }
        var headers: [String: String] = [:]
        if let fields = json["headers"] {
            guard let object = fields.objectValue, object.values.allSatisfy({ $0.stringValue != nil }) else {
                return JSONResponse.error(400, "headers must be an object of strings")
            }
            headers = object.compactMapValues(\.stringValue)
        }
        let policy = json["consentPolicy"]?.stringValue ?? ConsentPolicy.optIn.rawValue
        guard let consentPolicy = ConsentPolicy(rawValue: policy) else {
            return JSONResponse.error(400, "consentPolicy must be opt-in or opt-out, got '\(policy)'")
        }
        var cap: FrequencyCap?
        if let text = json["cap"]?.stringValue {
            guard let parsed = FrequencyCap(parsing: text) else {
                return JSONResponse.error(400, "cap must be COUNT/day, COUNT/week or COUNT/month, got '\(text)'")
            }
            cap = parsed
        }
        do {
            let destination = try await store.createDestination(
                name: name,
                url: url,
                headers: headers,
                secret: json["secret"]?.stringValue,
                purpose: json["purpose"]?.stringValue,
                consentPolicy: consentPolicy,
                frequencyCap: cap
            )
            return JSONResponse.encoded(
                [
                    "id": JSONValue.number(Double(destination.id)), "name": .string(name),
                    "secret": .string(destination.secrets[0]),
                ],
                status: 201
            )
        } catch {
            return Self.response(error)
        }
    }

    func answer(_ body: () async throws -> some Encodable) async -> Response {
        do {
            return JSONResponse.encoded(try await body())
        } catch {
            return Self.response(error)
        }
    }

    /// 400 for invalid input, 404 for an unknown destination, 409 for a taken name, 503 otherwise.
    static func response(_ error: any Error) -> Response {
        guard let error = error as? StoreError else { return JSONResponse.error(503, "\(error)") }
        switch error.code {
        case .invalidInput: return JSONResponse.error(400, error.description)
        case .notFound: return JSONResponse.error(404, error.description)
        case .conflict: return JSONResponse.error(409, error.description)
        default: return JSONResponse.error(503, "the store is unavailable: \(error)")
        }
    }
}
