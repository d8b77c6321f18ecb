/// A deterministic 128-bit FNV-1a hash, used to derive a messageId for events that have none, so a
/// retried event without one still deduplicates. Not cryptographic.
public enum ContentHash {
    /// The 32-hex-digit hash of `text`.
    public static func hex(of text: String) -> String {
        var high: UInt64 = 0x6c62_272e_07bb_0142
        var low: UInt64 = 0x62b8_2175_6295_c58d
        for byte in text.utf8 {
            low ^= UInt64(byte)
            // Multiply the 128-bit state by the FNV prime 2⁸⁸ + 2⁸ + 0x3b.
            let (carry, product) = low.multipliedFullWidth(by: 0x13b)
            high = high &* 0x13b &+ carry &+ (low << 24)
            low = product
        }
        func hex(_ value: UInt64) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }
        return hex(high) + hex(low)
    }
}
