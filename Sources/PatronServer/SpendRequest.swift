import CustomerValue
import Foundation
import PatronCore
import PatronStorage

/// The body of `POST /api/v1/spend`: `{"rows": [{"date": "2025-01-15", "channel": "email",
/// "amount": 120.5, "campaign": "spring", "currency": "EUR"}, …]}` (campaign and currency optional;
/// channels lower-cased as `patron import spend` does).
enum SpendRequest {
    /// At most this many rows per request.
    static let maximumRows = 10_000

    /// The rows of `body`.
    /// - Throws: ``IngestRequestError`` (400) naming the row and field that is wrong.
    static func parse(_ body: Data) throws(IngestRequestError) -> [SpendRow] {
        let json: JSONValue
        do {
            json = try JSONValue.parse(body)
        } catch {
            throw IngestRequestError(status: 400, "invalid JSON: \(error)")
        }
        guard let rows = json["rows"]?.arrayValue else {
            throw IngestRequestError(status: 400, "the body must be an object with a `rows` array")
        }
        guard rows.count <= maximumRows else {
            throw IngestRequestError(status: 413, "at most \(maximumRows) rows per request, got \(rows.count)")
        }
        return try rows.enumerated().map { index, row throws(IngestRequestError) in
            func fail(_ field: String, _ message: String) -> IngestRequestError {
                IngestRequestError(status: 400, "rows[\(index)].\(field): \(message)")
            }
            guard let text = row["date"]?.stringValue, let day = Self.day(text) else {
                throw fail("date", "must be a date YYYY-MM-DD")
            }
            guard let channel = row["channel"]?.stringValue?.trimmingCharacters(in: .whitespaces).lowercased(),
                !channel.isEmpty
            else { throw fail("channel", "must be a non-empty string") }
            guard let amount = row["amount"]?.numberValue, amount.isFinite, amount >= 0 else {
                throw fail("amount", "must be a number ≥ 0")
            }
            let campaign = row["campaign"]?.stringValue ?? ""
            let currency = (row["currency"]?.stringValue ?? "USD").uppercased()
            guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                throw fail("currency", "must be an ISO 4217 code such as EUR")
            }
            return SpendRow(day: day, channel: channel, campaign: campaign, amount: amount, currency: currency)
        }
    }

    /// The day number of `YYYY-MM-DD`, or `nil`.
    static func day(_ text: String) -> Int? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        return CalendarDate(year: year, month: month, day: day)?.dayNumber
    }
}
