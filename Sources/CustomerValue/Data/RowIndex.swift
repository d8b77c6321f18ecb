/// An open-addressing hash index from three 64-bit words to a dense slot number (0, 1, 2, … in order of
/// first insertion). Compressing a million customers to their unique rows is hashing-bound; this avoids
/// the general-purpose `Hasher` (SipHash) and its per-insert overhead.
struct RowIndex {
    private var keys: [(UInt64, UInt64, UInt64)]
    private var slots: [Int32]
    private var mask: Int
    /// The number of distinct keys.
    private(set) var count = 0

    init(expectedCount: Int) {
        var capacity = 16
        while capacity < 2 * expectedCount { capacity <<= 1 }
        keys = Array(repeating: (0, 0, 0), count: capacity)
        slots = Array(repeating: -1, count: capacity)
        mask = capacity - 1
    }

    /// The slot of `key`, inserting it with the next slot number if new.
    mutating func slot(for key: (UInt64, UInt64, UInt64)) -> Int {
        if 2 * (count + 1) > slots.count { grow() }
        var position = Self.hash(key) & mask
        while true {
            let slot = slots[position]
            if slot < 0 {
                slots[position] = Int32(count)
                keys[position] = key
                count += 1
                return count - 1
            }
            if keys[position] == key { return Int(slot) }
            position = (position + 1) & mask
        }
    }

    private static func hash(_ key: (UInt64, UInt64, UInt64)) -> Int {
        var h = key.0 &* 0x9E37_79B9_7F4A_7C15
        h ^= (key.1 &+ 0x632B_E59B_D9B4_E019) &* 0xBF58_476D_1CE4_E5B9
        h ^= (key.2 &+ 0x2545_F491_4F6C_DD1D) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return Int(truncatingIfNeeded: h)
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldSlots = slots
        let capacity = slots.count * 2
        keys = Array(repeating: (0, 0, 0), count: capacity)
        slots = Array(repeating: -1, count: capacity)
        mask = capacity - 1
        for position in oldSlots.indices where oldSlots[position] >= 0 {
            var target = Self.hash(oldKeys[position]) & mask
            while slots[target] >= 0 { target = (target + 1) & mask }
            slots[target] = oldSlots[position]
            keys[target] = oldKeys[position]
        }
    }
}

extension PurchaseHistory {
    /// The history as three words for ``RowIndex`` (+0.0 and −0.0 are the same time).
    var indexKey: (UInt64, UInt64, UInt64) {
        (UInt64(bitPattern: Int64(frequency)), (recency + 0).bitPattern, (age + 0).bitPattern)
    }
}
