public import Hummingbird
public import Logging
import PatronDelivery
public import PatronStorage
import Prometheus
import ServiceLifecycle

/// Builds the Patron HTTP application: tracking API, admin API, `/health`, `/metrics`,
/// `/openapi.json`, with the background services that checkpoint the store's write-ahead log, turn
/// events into customers (and re-score them) and, when configured, refit the value models on a
/// schedule.
/// - Parameters:
///   - configuration: address, limits and refit interval.
///   - store: the event store.
///   - logger: the application's logger.
public func buildApplication(
    configuration: ServerConfiguration,
    store: SQLiteStore,
    logger: Logger
) -> some ApplicationProtocol {
    let metrics = ServerMetrics()
    let router = buildRouter(configuration: configuration, store: store, metrics: metrics)
    var services: [any Service] = [
        ProcessingService(store: store, metrics: metrics, logger: logger),
        WebhookDeliverer(
            store: store,
            schedule: configuration.webhookRetrySchedule,
            timeout: configuration.webhookTimeout,
            logger: logger
        ),
    ]
    if let interval = configuration.refitInterval {
        services.append(RefitService(store: store, interval: interval, logger: logger))
    }
    if let interval = configuration.segmentRefreshInterval {
        services.append(
            SegmentRefreshService(
                store: store,
                interval: interval,
                fullRefreshInterval: configuration.segmentFullRefreshInterval,
                logger: logger
            )
        )
    }
    services.append(CheckpointService(store: store, metrics: metrics, logger: logger))
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "patron"),
        services: services,
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
