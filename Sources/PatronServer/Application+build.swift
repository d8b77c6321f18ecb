public import Hummingbird
public import Logging
public import PatronStorage

/// Builds the Patron HTTP application: tracking API, `/health`.
/// - Parameters:
///   - configuration: address and limits.
///   - store: the event store.
///   - logger: the application's logger.
public func buildApplication(
    configuration: ServerConfiguration,
    store: SQLiteStore,
    logger: Logger
) -> some ApplicationProtocol {
    let router = buildRouter(configuration: configuration, store: store)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "patron"),
        logger: logger
    )
}

/// The router alone, for in-process tests.
public func buildRouter(configuration: ServerConfiguration, store: SQLiteStore) -> Router<BasicRequestContext> {
    let router = Router()
    router.get("health") { _, _ in TrackingRoutes.json(200, #"{"status":"ok"}"#) }
    TrackingRoutes(store: store, limits: configuration.limits).register(on: router)
    return router
}
