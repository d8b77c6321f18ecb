import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PatronCore
import PatronDelivery
import PatronServer
import PatronStorage

/// `patron serve`: the Segment-compatible ingest server.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Segment-compatible event API on an embedded SQLite store.",
        discussion: """
            Real analytics SDKs send to POST /v1/batch with the write key as the HTTP Basic username.
            An event is acknowledged (200 {"success":true}) only after it is committed with fsync.
            SIGTERM or SIGINT stops the server after in-flight requests finish.

            Example:
              patron serve --port 8080 --write-key web=wk_live_123
            """
    )

    @OptionGroup var store: DatabaseOptions

    @Option(help: "Address to listen on (env PATRON_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (env PATRON_PORT; default 8080; 0 picks a free port).")
    var port: Int?

    @Option(
        name: .customLong("write-key"),
        help: "A write key for a source, SOURCE=KEY; repeatable (env PATRON_WRITE_KEYS, comma-separated)."
    )
    var writeKeys: [String] = []

    @Option(
        help: """
            Admin API token (env PATRON_ADMIN_TOKEN). If neither is set and none is stored, one is generated on \
            first start and printed once; only its hash is stored.
            """
    )
    var adminToken: String?

    @Option(help: "Largest event in bytes.")
    var maximumEventBytes = 32 * 1024

    @Option(help: "Largest request body in bytes (after gunzip).")
    var maximumBatchBytes = 500 * 1024

    @Option(help: "Most events per batch.")
    var maximumBatchEvents = 2500

    @Option(
        help:
            "Refit the value models and re-score every customer this often, e.g. 24h, 30m, 7d (env PATRON_REFIT_EVERY; default: never)."
    )
    var refitEvery: String?

    @Option(
        help:
            "Delays between webhook attempts, e.g. 5s,30s,2m (env PATRON_WEBHOOK_RETRY_DELAYS; default 5s,30s,2m,10m,30m,1h,2h,4h,8h,12h, each ±20 % jitter); after the last, a delivery is dead-lettered."
    )
    var webhookRetryDelays: String?

    @Option(
        help:
            "Re-evaluate, this often, the customers whose event or trait times crossed a segment's window since the last refresh (env PATRON_SEGMENT_REFRESH_EVERY; default 1m; 'never' turns off every scheduled refresh)."
    )
    var segmentRefreshEvery: String?

    @Option(
        help:
            "Re-evaluate every segment over every customer at start and then this often, catching what other processes changed (env PATRON_SEGMENT_FULL_REFRESH_EVERY; default 1h; 'never': at start only)."
    )
    var segmentFullRefreshEvery: String?

    var segmentRefreshInterval: Duration? {
        get throws { try ScheduleOption.segmentRefresh.interval(segmentRefreshEvery) }
    }

    var segmentFullRefreshInterval: Duration? {
        get throws { try ScheduleOption.segmentFullRefresh.interval(segmentFullRefreshEvery) }
    }

    @Option(help: "The longest wait for a webhook endpoint's answer, e.g. 10s.")
    var webhookTimeout = "10s"

    var webhookSchedule: RetrySchedule {
        get throws {
            guard let text = webhookRetryDelays ?? ProcessInfo.processInfo.environment["PATRON_WEBHOOK_RETRY_DELAYS"]
            else { return .standard }
            let delays = text.split(separator: ",").map {
                DurationText.parse(String($0).trimmingCharacters(in: .whitespaces))
            }
            guard !delays.isEmpty, delays.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--webhook-retry-delays must be durations like 5s,30s,2m, got '\(text)'")
            }
            return RetrySchedule(
                delays: delays.compactMap { $0 }.map {
                    Double($0.components.seconds) + Double($0.components.attoseconds) * 1e-18
                }
            )
        }
    }

    var refitInterval: Duration? {
        get throws {
            guard let text = refitEvery ?? ProcessInfo.processInfo.environment["PATRON_REFIT_EVERY"] else { return nil }
            guard let interval = DurationText.parse(text) else {
                throw ValidationError(
                    "--refit-every must be a positive duration like 90s, 30m, 24h or 7d, got '\(text)'"
                )
            }
            return interval
        }
    }

    func validate() throws {
        for pair in allWriteKeys where pair.split(separator: "=", maxSplits: 1).count != 2 {
            throw ValidationError("--write-key must be SOURCE=KEY, got '\(pair)'")
        }
        guard maximumEventBytes > 0, maximumBatchBytes > 0, maximumBatchEvents > 0 else {
            throw ValidationError("the limits must be positive")
        }
        if let port = resolvedPort, !(0...65535).contains(port) { throw ValidationError("--port must be 0…65535") }
        _ = try refitInterval
        _ = try webhookSchedule
        _ = try segmentRefreshInterval
        _ = try segmentFullRefreshInterval
        guard DurationText.parse(webhookTimeout) != nil else {
            throw ValidationError("--webhook-timeout must be a positive duration like 10s, got '\(webhookTimeout)'")
        }
    }

    var allWriteKeys: [String] {
        writeKeys
            + (ProcessInfo.processInfo.environment["PATRON_WRITE_KEYS"] ?? "").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty }
    }

    var resolvedPort: Int? { port ?? ProcessInfo.processInfo.environment["PATRON_PORT"].flatMap(Int.init) }

    func run() async throws {
        let store = try self.store.open()
        for pair in allWriteKeys {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if try await store.source(forWriteKey: parts[1]) == nil {
                try await store.addWriteKey(parts[1], source: parts[0])
            }
        }
        let token = adminToken ?? ProcessInfo.processInfo.environment["PATRON_ADMIN_TOKEN"]
        if let generated = try await store.ensureAdminToken(token) {
            // Written unbuffered, so it is seen at once even when stdout is a pipe or a file.
            FileHandle.standardOutput.write(
                Data("Generated admin token (shown once, store it now): \(generated)\n".utf8)
            )
        }
        var logger = Logger(label: "patron")
        logger.logLevel = .info
        let configuration = ServerConfiguration(
            host: host ?? ProcessInfo.processInfo.environment["PATRON_HOST"] ?? "127.0.0.1",
            port: resolvedPort ?? 8080,
            limits: IngestLimits(
                maximumEventBytes: maximumEventBytes,
                maximumBatchBytes: maximumBatchBytes,
                maximumBatchEvents: maximumBatchEvents
            ),
            refitInterval: try refitInterval,
            segmentRefreshInterval: try segmentRefreshInterval,
            segmentFullRefreshInterval: try segmentFullRefreshInterval,
            webhookRetrySchedule: try webhookSchedule,
            webhookTimeout: DurationText.parse(webhookTimeout) ?? .seconds(10)
        )
        logger.info("patron serve: database \(self.store.path), http://\(configuration.host):\(configuration.port)")
        let application = buildApplication(configuration: configuration, store: store, logger: logger)
        try await application.runService()
    }
}
