import Crypto
public import Foundation
import GRDB

extension SQLiteStore {
    /// A new `whsec_` secret: 32 random bytes, base64 (the Standard Webhooks form).
    public static func newWebhookSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "whsec_" + Data(bytes).base64EncodedString()
    }

    /// Creates a destination with a new signing secret (or `secret` when given, e.g. the receiver's).
    /// - Throws: ``StoreError``: `.conflict` when the name is taken, `.invalidInput` for a URL that is not
    ///   http(s) or a malformed secret.
    public func createDestination(
        name: String,
        url: String,
        headers: [String: String] = [:],
        secret: String? = nil,
        purpose: String? = nil,
        consentPolicy: ConsentPolicy = .optIn,
        frequencyCap: FrequencyCap? = nil,
        at now: Date = Date()
    ) async throws(StoreError) -> Destination {
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
            throw StoreError(.invalidInput, "the destination URL must be http(s), got '\(url)'")
        }
        guard !name.isEmpty else { throw StoreError(.invalidInput, "a destination needs a name") }
        if let secret { try Self.validateSecret(secret) }
        let secrets = [secret ?? Self.newWebhookSecret()]
        return try await write("create destination \(name)") { db in
            guard try Int64.fetchOne(db, sql: "SELECT id FROM destination WHERE name = ?", arguments: [name]) == nil
            else {
                throw StoreError(.conflict, "a destination named '\(name)' exists already")
            }
            try db.execute(
                sql: """
                    INSERT INTO destination (name, url, secrets, headers, createdAt, purpose, consentPolicy, capCount, capPeriod)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    name, url, Self.json(secrets), Self.json(headers), SQLDate(now), purpose?.lowercased(),
                    consentPolicy.rawValue, frequencyCap?.count, frequencyCap?.period.rawValue,
                ]
            )
            return Destination(
                id: db.lastInsertedRowID,
                name: name,
                url: url,
                secrets: secrets,
                headers: headers,
                createdAt: now,
                purpose: purpose?.lowercased(),
                consentPolicy: consentPolicy,
                frequencyCap: frequencyCap
            )
        }
    }

    static func validateSecret(_ secret: String) throws(StoreError) {
        guard secret.hasPrefix("whsec_"), let key = Data(base64Encoded: String(secret.dropFirst(6))), key.count >= 24
        else {
            throw StoreError(.invalidInput, "a signing secret is whsec_ followed by at least 24 bytes in base64")
        }
    }

    /// Every destination, by name.
    public func destinations() async throws(StoreError) -> [Destination] {
        try await read("list destinations") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM destination ORDER BY name").map(Self.destination(row:))
        }
    }

    /// The destination named `name`, or `nil`.
    public func destination(named name: String) async throws(StoreError) -> Destination? {
        try await read("read destination \(name)") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM destination WHERE name = ?", arguments: [name])
                .map(Self.destination(row:))
        }
    }

    /// Adds a new signing secret to destination `name`; the previous one keeps signing too until the
    /// next rotation, so receivers can switch over without dropping messages.
    /// - Returns: the destination with its secrets.
    public func rotateSecret(ofDestination name: String) async throws(StoreError) -> Destination {
        try await write("rotate the secret of \(name)") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM destination WHERE name = ?", arguments: [name])
            else { throw StoreError(.notFound, "no destination named '\(name)'") }
            var destination = try Self.destination(row: row)
            destination.secrets = Array((destination.secrets + [Self.newWebhookSecret()]).suffix(2))
            try db.execute(
                sql: "UPDATE destination SET secrets = ? WHERE id = ?",
                arguments: [Self.json(destination.secrets), destination.id]
            )
            return destination
        }
    }

    /// Enables destination `name` again (after a 410 or by hand).
    public func enableDestination(named name: String) async throws(StoreError) {
        try await write("enable \(name)") { db in
            try db.execute(
                sql: "UPDATE destination SET disabledAt = NULL, disabledReason = NULL WHERE name = ?",
                arguments: [name]
            )
            guard db.changesCount == 1 else { throw StoreError(.notFound, "no destination named '\(name)'") }
        }
    }

    static func destination(row: Row) throws -> Destination {
        let decoder = JSONDecoder()
        return Destination(
            id: row["id"],
            name: row["name"],
            url: row["url"],
            secrets: try decoder.decode([String].self, from: Data((row["secrets"] as String).utf8)),
            headers: try decoder.decode([String: String].self, from: Data((row["headers"] as String).utf8)),
            createdAt: (row["createdAt"] as SQLDate).date,
            disabledAt: (row["disabledAt"] as SQLDate?)?.date,
            disabledReason: row["disabledReason"],
            purpose: row["purpose"],
            consentPolicy: ConsentPolicy(rawValue: row["consentPolicy"]) ?? .optIn,
            frequencyCap: (row["capCount"] as Int?).flatMap { count in
                (row["capPeriod"] as String?).flatMap(FrequencyCap.Period.init(rawValue:)).map {
                    FrequencyCap(count: count, period: $0)
                }
            }
        )
    }

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}
