public import Crypto
public import Foundation

/// Standard Webhooks signing (standardwebhooks.com): the headers `webhook-id`, `webhook-timestamp`
/// (Unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one
/// `v1,…` per active secret separated by spaces, so a receiver keeps verifying while a secret rotates.
public enum WebhookSignature {
    /// The HMAC key of a `whsec_<base64>` secret, or `nil` when it is not one.
    public static func key(of secret: String) -> SymmetricKey? {
        guard secret.hasPrefix("whsec_"), let bytes = Data(base64Encoded: String(secret.dropFirst(6))) else {
            return nil
        }
        return SymmetricKey(data: bytes)
    }

    /// `v1,<signature>` for one secret.
    public static func signature(id: String, timestamp: Int64, body: Data, secret: String) -> String? {
        guard let key = key(of: secret) else { return nil }
        var message = Data("\(id).\(timestamp).".utf8)
        message.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: key)
        return "v1," + Data(mac).base64EncodedString()
    }

    /// The three headers of a message signed with every secret in `secrets`.
    public static func headers(id: String, timestamp: Int64, body: Data, secrets: [String]) -> [(String, String)] {
        let signatures = secrets.compactMap { signature(id: id, timestamp: timestamp, body: body, secret: $0) }
        return [
            ("webhook-id", id), ("webhook-timestamp", String(timestamp)),
            ("webhook-signature", signatures.joined(separator: " ")),
        ]
    }
}
