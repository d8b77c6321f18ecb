import Hummingbird
import Logging

/// Answers every error with a JSON body, including requests that match no route
/// (`{"success":false,"error":"no route for GET /v1/batch"}`), so clients always get a reason.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            let status = Int(error.status.code)
            let message =
                error.status == .notFound
                ? "no route for \(request.method) \(request.uri.path)"
                : (error as? HTTPError)?.body ?? error.status.reasonPhrase
            return JSONResponse.error(status, message)
        } catch {
            context.logger.error("unhandled error: \(error)")
            return JSONResponse.error(500, "internal error")
        }
    }
}
