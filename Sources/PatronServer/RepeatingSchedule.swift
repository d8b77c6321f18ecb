import ServiceLifecycle

/// Runs a piece of work every interval until graceful shutdown or cancellation: the loop of the
/// scheduled services (refit, segment refresh). The first run comes one interval after start.
enum RepeatingSchedule {
    static func run(every interval: Duration, _ work: () async -> Void) async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                // A graceful shutdown ends the wait at once (a sleep alone would hold the server up).
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            await work()
        }
    }
}
