import Foundation
import Hummingbird
import PatronCore
import PatronStorage

/// The admin API of triggers under `/api/v1`: what sends a webhook to a destination when something
/// happens to a customer (entering or leaving a segment).
struct TriggerRoutes: Sendable {
    let store: SQLiteStore

    func register(on api: RouterGroup<BasicRequestContext>) {
        api.get("triggers") { _, _ in
            do {
                return JSONResponse.encoded(["triggers": try await store.triggers()])
            } catch {
                return DeliveryRoutes.response(error)
            }
        }
        api.post("triggers") { request, _ in try await create(request) }
    }

    /// `POST /api/v1/triggers` with `{"name", "event", …}` and the fields of that event
    /// (`segment.entered` and `segment.exited`: `segment`, `destination`): 201 with the trigger.
    func create(_ request: Request) async throws(HTTPError) -> Response {
        let body = try await request.jsonObject(upTo: 16 * 1024)
        guard let name = body["name"]?.stringValue, let eventName = body["event"]?.stringValue else {
            return JSONResponse.error(400, "name and event are required strings")
        }
        guard let event = Trigger.Event(rawValue: eventName) else {
            let known = Trigger.Event.allCases.map(\.rawValue).joined(separator: ", ")
            return JSONResponse.error(400, "event must be one of \(known), got '\(eventName)'")
        }
        do {
            // One case per kind of event, each reading the fields it needs: a new kind is a new case.
            switch event {
            case .segmentEntered, .segmentExited:
                guard let segment = body["segment"]?.stringValue, let destination = body["destination"]?.stringValue
                else {
                    return JSONResponse.error(400, "a \(eventName) trigger needs the strings segment and destination")
                }
                let trigger = try await store.createTrigger(
                    name: name,
                    event: event,
                    segment: segment,
                    destination: destination
                )
                return JSONResponse.encoded(trigger, status: 201)
            }
        } catch {
            return DeliveryRoutes.response(error)
        }
    }
}
