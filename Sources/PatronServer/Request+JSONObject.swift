import Foundation
import Hummingbird
import NIOCore
import PatronCore

extension Request {
    /// The body, which must be a JSON object of at most `maximumBytes`.
    /// - Throws: `HTTPError` 400 saying what is wrong (not JSON, and at which byte; not an object),
    ///   413 when the body is larger.
    func jsonObject(upTo maximumBytes: Int) async throws(HTTPError) -> JSONValue {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: maximumBytes)
        } catch {
            throw HTTPError(.init(code: 413), message: "the body exceeds \(maximumBytes / 1024) KiB")
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(Data(buffer.readableBytesView))
        } catch {
            throw HTTPError(.badRequest, message: "the body is not valid JSON: \(error)")
        }
        guard json.objectValue != nil else { throw HTTPError(.badRequest, message: "the body must be a JSON object") }
        return json
    }
}
