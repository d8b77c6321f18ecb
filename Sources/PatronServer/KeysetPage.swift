import Hummingbird

/// The `limit` and `cursor` query parameters of a list paged by id: the page size, and the last id
/// of the previous page (the `nextCursor` it returned).
struct KeysetPage: Sendable {
    /// How many rows the page holds at most.
    var limit: Int
    /// The rows of the page have ids greater than this; `nil` for the first page.
    var after: Int64?

    /// Reads `limit` (default `defaultLimit`, 1…`maximumLimit`) and `cursor` from the query.
    /// - Throws: `HTTPError` 400 for a limit out of range or a cursor that is not an id.
    init(_ request: Request, defaultLimit: Int, maximumLimit: Int) throws(HTTPError) {
        let query = request.uri.queryParameters
        limit = query.get("limit", as: Int.self) ?? defaultLimit
        guard (1...maximumLimit).contains(limit) else {
            throw HTTPError(.badRequest, message: "limit must be 1…\(maximumLimit)")
        }
        if let cursor = query.get("cursor") {
            guard let value = Int64(cursor), value >= 0 else {
                throw HTTPError(.badRequest, message: "cursor '\(cursor)' is not valid")
            }
            after = value
        }
    }

    /// The cursor of the next page: the last id of a full page, `nil` after the last page.
    func nextCursor(after ids: [Int64]) -> String? {
        ids.count == limit ? ids.last.map { String($0) } : nil
    }
}
