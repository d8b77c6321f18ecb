import CompressNIO
import Foundation
import Hummingbird
import NIOCore
import PatronCore
import PatronStorage

/// The Segment-compatible tracking API: `POST /v1/batch` and `POST /v1/{identify,track,page,screen,group,alias}`.
///
/// A request is acknowledged with exactly `200 {"success":true}` only after its events are committed with
/// fsync; invalid events go to the quarantine and the rest of the batch is stored; a request that is
/// invalid as a whole gets a 4xx with a JSON error that says what is wrong.
struct TrackingRoutes: Sendable {
    let store: SQLiteStore
    let limits: IngestLimits
    let metrics: ServerMetrics

    func register(on router: Router<BasicRequestContext>) {
        router.post("v1/batch") { request, _ in await handle(request, single: nil) }
        for type in SegmentEventType.allCases {
            router.post("v1/\(type.rawValue)") { request, _ in await handle(request, single: type) }
        }
    }

    func handle(_ request: Request, single: SegmentEventType?) async -> Response {
        let response = await respond(to: request, single: single)
        if response.status != .ok { metrics.recordRejectedRequest(status: Int(response.status.code)) }
        return response
    }

    func respond(to request: Request, single: SegmentEventType?) async -> Response {
        let receivedAt = Date()
        var request = request
        let body: Data
        do {
            body = try await Self.readBody(&request, limit: limits.maximumBatchBytes)
        } catch let error as IngestRequestError {
            return JSONResponse.error(error.status, error.message)
        } catch {
            return JSONResponse.error(400, "could not read the request body")
        }
        let parsed: SegmentRequest
        do {
            parsed = try SegmentRequest.parse(body: body, single: single, receivedAt: receivedAt, limits: limits)
        } catch {
            return JSONResponse.error(error.status, error.message)
        }
        guard let key = Self.writeKey(from: request) ?? parsed.writeKey, !key.isEmpty else {
            return JSONResponse.error(
                401,
                "missing write key: send it as the HTTP Basic username or as \"writeKey\" in the body"
            )
        }
        let source: String
        do {
            guard let found = try await store.source(forWriteKey: key) else {
                return JSONResponse.error(401, "unknown write key")
            }
            source = found
        } catch {
            return JSONResponse.error(503, "the event store is unavailable; retry")
        }
        do {
            let outcome = try await store.ingest(
                IngestBatch(source: source, accepted: parsed.accepted, rejected: parsed.rejected)
            )
            metrics.record(outcome, rejected: parsed.rejected)
        } catch {
            return JSONResponse.error(503, "the events could not be stored; retry")
        }
        return JSONResponse.text(200, #"{"success":true}"#)
    }

    /// The body, gunzipped when `Content-Encoding: gzip`, at most `limit` bytes after decompression.
    static func readBody(_ request: inout Request, limit: Int) async throws -> Data {
        var buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit + 1)
        } catch {
            throw IngestRequestError(status: 413, "request body exceeds the limit of \(limit) bytes")
        }
        if buffer.readableBytes > limit {
            throw IngestRequestError(status: 413, "request body exceeds the limit of \(limit) bytes")
        }
        let encoding = request.headers[.contentEncoding]?.lowercased().trimmingCharacters(in: .whitespaces)
        switch encoding {
        case nil, "", "identity":
            break
        case "gzip", "x-gzip":
            do {
                buffer = try buffer.decompress(with: .gzip(), maxSize: limit)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                throw IngestRequestError(status: 413, "decompressed body exceeds the limit of \(limit) bytes")
            } catch {
                throw IngestRequestError(status: 400, "the body is not valid gzip")
            }
        default:
            throw IngestRequestError(status: 400, "unsupported Content-Encoding '\(encoding!)' (use gzip or none)")
        }
        return Data(buffer.readableBytesView)
    }

    /// The write key from `Authorization: Basic base64(key:)` (the colon and password are optional).
    static func writeKey(from request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
            let decoded = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces))
        else { return nil }
        let text = String(decoding: decoded, as: UTF8.self)
        return String(text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }
}
