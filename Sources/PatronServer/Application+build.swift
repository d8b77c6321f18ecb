public import Hummingbird
public import Logging
public import PatronStorage
import Prometheus

/// Builds the Patron HTTP application: tracking API, admin API, `/health`, `/metrics`,
/// `/openapi.json`, with the background service that turns events into customers.
/// - Parameters:
///   - configuration: address and limits.
///   - store: the event store.
///   - logger: the application's logger.
public func buildApplication(
    configuration: ServerConfiguration,
    store: SQLiteStore,
    logger: Logger
) -> some ApplicationProtocol {
    let metrics = ServerMetrics()
    let router = buildRouter(configuration: configuration, store: store, metrics: metrics)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "patron"),
        services: [ProcessingService(store: store, metrics: metrics, logger: logger)],
        logger: logger
    )
}

/// The router alone, for in-process tests.
public func buildRouter(
    configuration: ServerConfiguration,
    store: SQLiteStore,
    metrics: ServerMetrics = ServerMetrics()
) -> Router<BasicRequestContext> {
    let router = Router()
    router.add(middleware: LatencyMiddleware(metrics: metrics))
    router.add(middleware: JSONErrorMiddleware())
    router.get("health") { _, _ in JSONResponse.text(200, #"{"status":"ok"}"#) }
    router.get("metrics") { _, _ in
        Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer()))
        )
    }
    router.get("openapi.json") { _, _ in JSONResponse.text(200, OpenAPIDocument.document) }
    TrackingRoutes(store: store, limits: configuration.limits, metrics: metrics).register(on: router)
    AdminRoutes(store: store).register(on: router)
    return router
}
