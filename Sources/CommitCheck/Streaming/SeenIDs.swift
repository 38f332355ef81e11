/// The commit (or fetch) ids a streaming check has seen, in memory that stays flat when ids are
/// numbered as recorders number them (`proxy-1`, `proxy-2`, ...).
///
/// An id seen again after its window closed is something only the whole history can judge (a
/// second build of a commit is an error there), so the streaming check must know every id it has
/// retired. Remembering each one would grow with the trace; but recorders give ids as a prefix and
/// a rising number, so per prefix a contiguous run `start..<low` and the few numbers seen out of
/// order beyond it suffice. Other ids are kept as 64-bit hashes (a collision only sends the trace
/// to the whole-history path, never changes a verdict).
struct SeenIDs {
    private struct Numbered {
        var start = 0
        var low = 0
        var outside: Set<Int> = []

        func contains(_ number: Int) -> Bool { (number >= start && number < low) || outside.contains(number) }

        mutating func insert(_ number: Int) {
            if start == low && outside.isEmpty {
                start = number
                low = number + 1
                return
            }
            if number == low {
                low += 1
                while outside.remove(low) != nil { low += 1 }
            } else if number == start - 1 {
                start -= 1
                while outside.remove(start - 1) != nil { start -= 1 }
            } else {
                outside.insert(number)
            }
        }
    }

    private var numbered: [Substring: Numbered] = [:]
    private var hashed: Set<Int> = []

    /// How many ids are held one by one (out of order, or not numbered): what memory grows with.
    var individuallyHeld: Int { hashed.count + numbered.values.reduce(0) { $0 + $1.outside.count } }

    /// Splits `prefix` and a canonical decimal suffix (no leading zero, at most 18 digits).
    private static func split(_ id: String) -> (Substring, Int)? {
        let utf8 = id.utf8
        var digits = 0
        var index = utf8.endIndex
        while index > utf8.startIndex {
            let before = utf8.index(before: index)
            guard utf8[before] >= 0x30 && utf8[before] <= 0x39 else { break }
            index = before
            digits += 1
        }
        guard digits > 0, digits <= 18, digits == 1 || utf8[index] != 0x30 else { return nil }
        let split = String.Index(index, within: id) ?? id.endIndex
        guard let number = Int(id[split...]) else { return nil }
        return (id[..<split], number)
    }

    func contains(_ id: String) -> Bool {
        if let (prefix, number) = Self.split(id) { return numbered[prefix]?.contains(number) ?? false }
        return hashed.contains(id.hashValue)
    }

    mutating func insert(_ id: String) {
        if let (prefix, number) = Self.split(id) {
            numbered[prefix, default: Numbered()].insert(number)
        } else {
            hashed.insert(id.hashValue)
        }
    }
}
