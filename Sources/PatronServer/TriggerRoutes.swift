import Foundation
import Hummingbird
import PatronCore
import PatronSegments
import PatronStorage

/// The admin API of triggers under `/api/v1`: what sends a webhook to a destination when a customer
/// enters or leaves a segment, sends a matching event, or gets a score that meets a condition.
struct TriggerRoutes: Sendable {
    let store: SQLiteStore

    func register(on api: RouterGroup<BasicRequestContext>) {
        api.get("triggers") { _, _ in
            await answer { ["triggers": try await store.triggers().map(Self.shown)] }
        }
        api.post("triggers") { request, _ in try await create(request) }
    }

    /// `POST /api/v1/triggers` with `{"name", "event", "destination"}` and the fields of that event:
    /// `segment` (`segment.entered`, `segment.exited`), `eventName` and an optional `filter`
    /// (`event.matched`), `condition` (`score.changed`). 201 with the trigger.
    func create(_ request: Request) async throws(HTTPError) -> Response {
        let body = try await request.jsonObject(upTo: SegmentRoutes.maximumBody)
        guard let name = body["name"]?.stringValue, let kind = body["event"]?.stringValue,
            let destination = body["destination"]?.stringValue
        else {
            return JSONResponse.error(400, "name, event and destination are required strings")
        }
        guard let event = Trigger.Event(rawValue: kind) else {
            let known = Trigger.Event.allCases.map(\.rawValue).joined(separator: ", ")
            return JSONResponse.error(400, "event must be one of \(known), got '\(kind)'")
        }
        // One case per kind of event, each reading the fields it needs: a new kind is a new case.
        switch event {
        case .segmentEntered, .segmentExited:
            guard let segment = body["segment"]?.stringValue else {
                return JSONResponse.error(400, "a \(kind) trigger needs segment, a string")
            }
            return await answer(status: 201) {
                try Self.shown(
                    try await store.createTrigger(name: name, event: event, segment: segment, destination: destination)
                )
            }
        case .eventMatched:
            guard let eventName = body["eventName"]?.stringValue, !eventName.isEmpty else {
                return JSONResponse.error(400, "an event.matched trigger needs eventName, the name of a track event")
            }
            return await answer(status: 201) {
                let filter = try SegmentRoutes.member("filter", of: body) { json throws(SegmentError) in
                    try EventTriggerFilter(json: json)
                }
                return try Self.shown(
                    try await store.createEventTrigger(
                        name: name,
                        eventName: eventName,
                        filter: filter,
                        destination: destination
                    )
                )
            }
        case .scoreChanged:
            return await answer(status: 201) {
                try Self.shown(
                    try await store.createScoreTrigger(
                        name: name,
                        condition: try SegmentRoutes.condition(in: body),
                        destination: destination
                    )
                )
            }
        }
    }

    func answer(status: Int = 200, _ body: () async throws -> some Encodable) async -> Response {
        await SegmentRoutes(store: store).answer(status: status) { try await body() }
    }

    /// A trigger as the API shows it: every stored field, with the event filter as a JSON object
    /// rather than text.
    static func shown(_ trigger: Trigger) throws -> JSONValue {
        guard case .object(var members) = try JSONValue.parse(JSONResponse.encoder.encode(trigger)) else {
            return .null
        }
        if let filter = trigger.filter { members["filter"] = try JSONValue.parse(Data(filter.utf8)) }
        return .object(members)
    }
}
