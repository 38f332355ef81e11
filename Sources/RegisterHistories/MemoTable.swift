/// The search's memo of visited (placed-operations bitset, register state) pairs.
///
/// A flat open-addressing table: keys live side by side in one array of words, so inserting costs
/// no allocation and hashing is a few multiply-xors, where a `Set` of array keys spends most of the
/// search's time allocating and hashing (measured: 70% of the etcd set's time).
struct MemoTable {
    private let words: Int
    private var arena: [UInt64] = []
    private var slots: [Int32]
    private var count = 0

    init(words: Int, capacity: Int = 1 << 12) {
        self.words = words
        slots = [Int32](repeating: -1, count: capacity)
    }

    /// Inserts the key; false when it was already there.
    mutating func insert(_ bits: [UInt64], state: Int) -> Bool {
        if (count + 1) * 2 > slots.count { grow() }
        let hash = Self.hash(bits, state)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 {
                slots[slot] = Int32(count)
                arena.append(contentsOf: bits)
                arena.append(UInt64(bitPattern: Int64(state)))
                count += 1
                return true
            }
            if equals(entry, bits, state) { return false }
            slot = (slot + 1) & mask
        }
    }

    private func equals(_ entry: Int, _ bits: [UInt64], _ state: Int) -> Bool {
        let base = entry * (words + 1)
        if arena[base + words] != UInt64(bitPattern: Int64(state)) { return false }
        for word in 0..<words where arena[base + word] != bits[word] { return false }
        return true
    }

    private static func hash(_ bits: [UInt64], _ state: Int) -> UInt64 {
        var hash = UInt64(bitPattern: Int64(state)) &* 0x9E37_79B9_7F4A_7C15
        for word in bits {
            hash = (hash ^ word) &* 0xBF58_476D_1CE4_E5B9
            hash ^= hash >> 29
        }
        return hash
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for entry in 0..<count {
            let base = entry * (words + 1)
            let bits = Array(arena[base..<(base + words)])
            let state = Int(Int64(bitPattern: arena[base + words]))
            var slot = Int(truncatingIfNeeded: Self.hash(bits, state)) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(entry)
        }
    }
}
