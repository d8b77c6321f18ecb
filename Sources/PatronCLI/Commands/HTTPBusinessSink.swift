import CustomerValue
import Foundation
import PatronCore
import PatronInsights
import PatronStorage

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Sends a simulated business to a running `patron serve`, as a load test: events as `/v1/batch`
/// requests of `batchSize` events over `connections` concurrent requests, each retried (same
/// messageIds, so the server deduplicates) until it is acknowledged; spend through `POST
/// /api/v1/spend`; then waits until the server has processed every event.
struct HTTPBusinessSink: BusinessSink {
    let base: URL
    let writeKey: String
    let adminToken: String?
    let batchSize: Int
    let connections: Int
    let statistics = LoadStatistics()
    let session: URLSession

    /// Attempts per request before the simulation stops with an error.
    static let maximumAttempts = 8

    init(base: URL, writeKey: String, adminToken: String?, batchSize: Int, connections: Int) {
        self.base = base
        self.writeKey = writeKey
        self.adminToken = adminToken
        self.batchSize = batchSize
        self.connections = connections
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = connections
        configuration.timeoutIntervalForRequest = 30
        configuration.connectionProxyDictionary = [:]
        session = URLSession(configuration: configuration)
    }

    func send(_ events: [String]) async throws {
        let batches = stride(from: 0, to: events.count, by: batchSize).map {
            Array(events[$0..<min(events.count, $0 + batchSize)])
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func start() {
                let batch = batches[next]
                next += 1
                group.addTask { try await post(batch) }
            }
            while next < min(connections, batches.count) { start() }
            while try await group.next() != nil {
                if next < batches.count { start() }
            }
        }
    }

    func post(_ batch: [String]) async throws {
        var request = URLRequest(url: base.appendingPathComponent("v1/batch"))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(
            "Basic " + Data("\(writeKey):".utf8).base64EncodedString(),
            forHTTPHeaderField: "Authorization"
        )
        request.httpBody = Data(("{\"batch\":[" + batch.joined(separator: ",") + "]}").utf8)
        var lastProblem = ""
        for attempt in 0..<Self.maximumAttempts {
            let started = ContinuousClock.now
            do {
                let (data, response) = try await session.data(for: request)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                if status == 200 {
                    await statistics.acknowledged(events: batch.count, latency: ContinuousClock.now - started)
                    return
                }
                let answer = String(decoding: data.prefix(300), as: UTF8.self)
                guard status >= 500 || status == 429 else {
                    throw InputError("the server at \(base) answered \(status) to /v1/batch: \(answer)")
                }
                lastProblem = "HTTP \(status): \(answer)"
            } catch let error as URLError {
                lastProblem = error.localizedDescription
            }
            await statistics.retried()
            try await Task.sleep(for: .milliseconds(min(2_000, 100 << attempt)))
        }
        throw InputError(
            "no acknowledgement from \(base) after \(Self.maximumAttempts) attempts (last: \(lastProblem))"
        )
    }

    /// Waits until the server has processed every stored event (needs the admin token).
    func finishEvents() async throws {
        await statistics.finishSending()
        guard adminToken != nil else { return }
        let deadline = ContinuousClock.now + .seconds(600)
        while ContinuousClock.now < deadline {
            let status = try await admin("GET", "api/v1/ingest/status", body: nil)
            if status["pendingEvents"]?.numberValue == 0 {
                await statistics.finishProcessing()
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw InputError("the server at \(base) has not processed the events after 600 s")
    }

    func importSpend(_ rows: [SpendRow]) async throws -> Int {
        guard adminToken != nil else { return 0 }
        var imported = 0
        for start in stride(from: 0, to: rows.count, by: 10_000) {
            let chunk = rows[start..<min(rows.count, start + 10_000)].map { row in
                JSONValue.object([
                    "date": .string(CalendarDate(dayNumber: row.day).description), "channel": .string(row.channel),
                    "campaign": .string(row.campaign), "amount": .number(row.amount),
                    "currency": .string(row.currency),
                ])
            }
            let answer = try await admin("POST", "api/v1/spend", body: JSONValue.object(["rows": .array(chunk)]))
            imported += Int(answer["imported"]?.numberValue ?? 0)
        }
        return imported
    }

    /// An admin API call; the answer's JSON.
    func admin(_ method: String, _ path: String, body: JSONValue?) async throws -> JSONValue {
        var request = URLRequest(url: base.appendingPathComponent(path))
        request.httpMethod = method
        request.setValue("Bearer \(adminToken ?? "")", forHTTPHeaderField: "Authorization")
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(body.jsonText.utf8)
        }
        let (data, response) = try await session.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else {
            throw InputError(
                "the server at \(base) answered \(status) to \(method) /\(path): \(String(decoding: data.prefix(300), as: UTF8.self))"
            )
        }
        return try JSONValue.parse(data)
    }
}

/// What a load test measured: acknowledged events and request latencies, retries, and how long the
/// sending and the server's processing took.
actor LoadStatistics {
    private(set) var events = 0
    private(set) var requests = 0
    private(set) var retries = 0
    private var latencies: [Duration] = []
    private let started = ContinuousClock.now
    private(set) var sendingSeconds: Double?
    private(set) var processingSeconds: Double?

    func acknowledged(events count: Int, latency: Duration) {
        events += count
        requests += 1
        latencies.append(latency)
    }

    func retried() { retries += 1 }

    func finishSending() { sendingSeconds = Self.seconds(ContinuousClock.now - started) }

    func finishProcessing() { processingSeconds = Self.seconds(ContinuousClock.now - started) }

    /// The latency at quantile `q` in milliseconds.
    func latency(_ q: Double) -> Double? {
        guard !latencies.isEmpty else { return nil }
        let sorted = latencies.sorted()
        return Self.seconds(sorted[min(sorted.count - 1, Int((q * Double(sorted.count)).rounded(.down)))]) * 1000
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
