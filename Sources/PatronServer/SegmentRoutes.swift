import Foundation
import Hummingbird
import PatronCore
import PatronSegments
import PatronStorage

/// The admin API of segments under `/api/v1`: list, create, show and replace segments, count what a
/// condition selects, backfill a segment, page through its members, and a customer's segment stays.
struct SegmentRoutes: Sendable {
    let store: SQLiteStore

    /// The largest request body: a segment with its condition.
    static let maximumBody = 64 * 1024

    /// What a backfill changed: how many customers entered and exited, and how many are members now.
    struct Backfilled: Encodable {
        var name: String
        var entered: Int
        var exited: Int
        var members: Int
    }

    /// A page of member customer ids; pass `nextCursor` as `cursor` for the next page.
    struct MemberPage: Encodable {
        var members: [Int64]
        var nextCursor: String?
    }

    func register(on api: RouterGroup<BasicRequestContext>) {
        api.get("segments") { _, _ in
            await answer {
                let counts = try await store.segmentMemberCounts()
                return [
                    "segments": try await store.segmentDefinitions().map {
                        SegmentOverview($0, members: counts[$0.id] ?? 0)
                    }
                ]
            }
        }
        api.post("segments") { request, _ in try await create(request) }
        api.post("segments/preview") { request, _ in
            let body = try await request.jsonObject(upTo: Self.maximumBody)
            return await answer { ["count": try await store.previewCount(of: try SegmentCondition(json: body))] }
        }
        api.get("segments/:name") { _, context in await show(Self.name(context)) }
        api.put("segments/:name") { request, context in try await replace(request, name: Self.name(context)) }
        // The router matches the constant path of the preview endpoint before `:name`, so a segment
        // called "preview" is read and replaced through these.
        api.get("segments/preview") { _, _ in await show("preview") }
        api.put("segments/preview") { request, _ in try await replace(request, name: "preview") }
        api.post("segments/:name/backfill") { _, context in
            await answer {
                let name = Self.name(context)
                let change = try await store.backfillSegment(named: name)
                return Backfilled(
                    name: name,
                    entered: change.entered.count,
                    exited: change.exited.count,
                    members: change.members
                )
            }
        }
        api.get("segments/:name/members") { request, context in
            let page = try KeysetPage(request, defaultLimit: 100, maximumLimit: 1000)
            return await answer {
                let members = try await store.segmentMembers(
                    named: Self.name(context),
                    after: page.after,
                    limit: page.limit
                )
                return MemberPage(members: members, nextCursor: page.nextCursor(after: members))
            }
        }
        api.get("customers/:id/segments") { _, context in
            await AdminRoutes(store: store).withCustomer(context) { id in
                ["segments": try await store.segmentHistory(customer: id)]
            }
        }
    }

    /// `POST /api/v1/segments` with `{"name", "condition"}`: 201 with the segment, backfilled unless
    /// `?backfill=false`.
    func create(_ request: Request) async throws(HTTPError) -> Response {
        let body = try await request.jsonObject(upTo: Self.maximumBody)
        guard let name = body["name"]?.stringValue, !name.trimmingCharacters(in: .whitespaces).isEmpty,
            name.count <= 200
        else {
            return JSONResponse.error(400, "name is required: a string of 1 to 200 characters")
        }
        let backfill = try Self.backfill(request)
        return await answer(status: 201) {
            let definition = try await store.createSegment(name: name, condition: try Self.condition(in: body))
            return try await shown(definition, backfill: backfill)
        }
    }

    /// `PUT /api/v1/segments/{name}` with `{"condition"}`: the segment with its new condition,
    /// backfilled unless `?backfill=false`.
    func replace(_ request: Request, name: String) async throws(HTTPError) -> Response {
        let body = try await request.jsonObject(upTo: Self.maximumBody)
        let backfill = try Self.backfill(request)
        return await answer {
            let definition = try await store.updateSegment(
                name: name,
                condition: try Self.condition(in: body)
            )
            return try await shown(definition, backfill: backfill)
        }
    }

    /// `GET /api/v1/segments/{name}`: the segment with its member count.
    func show(_ name: String) async -> Response {
        await answer { try await shown(try await store.segmentDefinition(named: name), backfill: false) }
    }

    /// The segment with its member count, after recomputing its members when `backfill` is set.
    func shown(_ definition: SegmentDefinition, backfill: Bool) async throws -> SegmentOverview {
        let members =
            backfill
            ? try await store.backfillSegment(named: definition.name).members
            : try await store.segmentMemberCounts()[definition.id] ?? 0
        return SegmentOverview(definition, members: members)
    }

    /// The segment name of the path, percent-decoded.
    static func name(_ context: BasicRequestContext) -> String {
        let raw = context.parameters.get("name") ?? ""
        return raw.removingPercentEncoding ?? raw
    }

    /// The `backfill` query parameter: `true` (the default) or `false`.
    static func backfill(_ request: Request) throws(HTTPError) -> Bool {
        switch request.uri.queryParameters.get("backfill") {
        case nil, "true"?: return true
        case "false"?: return false
        case let other?: throw HTTPError(.badRequest, message: "backfill must be true or false, got '\(other)'")
        }
    }

    /// The condition under the key `condition` of a request body, with the path of any problem
    /// given from the body (`condition.all[1].op`).
    static func condition(in body: JSONValue) throws(SegmentError) -> SegmentCondition {
        guard
            let condition = try member(
                "condition",
                of: body,
                { json throws(SegmentError) in try SegmentCondition(json: json) }
            )
        else {
            throw SegmentError(.invalidDefinition, path: "condition", "required: a condition object")
        }
        return condition
    }

    /// The member `key` of a request body read by `read`, or `nil` when absent, with the path of
    /// any problem given from the body (`filter.properties[0].op`).
    static func member<Value>(
        _ key: String,
        of body: JSONValue,
        _ read: (JSONValue) throws(SegmentError) -> Value
    ) throws(SegmentError) -> Value? {
        guard let json = body[key] else { return nil }
        do {
            return try read(json)
        } catch {
            throw SegmentError(error.code, path: error.path.isEmpty ? key : "\(key).\(error.path)", error.message)
        }
    }

    func answer(status: Int = 200, _ body: () async throws -> some Encodable) async -> Response {
        do {
            return JSONResponse.encoded(try await body(), status: status)
        } catch {
            return Self.response(error)
        }
    }

    /// 400 for an invalid condition (naming where), 404 for an unknown segment, 409 for a taken
    /// name, 503 otherwise; errors of the store are mapped by ``DeliveryRoutes/response(_:)``.
    static func response(_ error: any Error) -> Response {
        guard let error = error as? SegmentError else { return DeliveryRoutes.response(error) }
        switch error.code {
        case .invalidDefinition: return JSONResponse.error(400, error.description)
        case .notFound: return JSONResponse.error(404, error.description)
        case .conflict: return JSONResponse.error(409, error.description)
        default: return JSONResponse.error(503, "the store is unavailable: \(error)")
        }
    }
}
