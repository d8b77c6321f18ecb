import Foundation
import Hummingbird
import NIOCore
import PatronCore

/// JSON responses of the server: bodies, and errors shaped `{"success":false,"error":"…"}`.
enum JSONResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(SegmentTimestamp.format(date))
        }
        return encoder
    }()

    static func text(_ status: Int, _ body: String) -> Response {
        Response(
            status: .init(code: status),
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body))
        )
    }

    static func encoded(_ value: some Encodable, status: Int = 200) -> Response {
        do {
            return text(status, String(decoding: try encoder.encode(value), as: UTF8.self))
        } catch {
            return self.error(500, "could not encode the response")
        }
    }

    static func error(_ status: Int, _ message: String) -> Response {
        text(status, #"{"success":false,"error":"# + JSONValue.string(message).jsonText + "}")
    }
}
