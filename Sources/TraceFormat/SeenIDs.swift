/// The commit (or fetch) ids seen so far, in memory that stays flat when ids are numbered as
/// recorders number them (`proxy-1`, `proxy-2`, ..., `conn-8-3`, `conn-8-5`, ...).
///
/// A streaming check must know every id it has retired (one seen again after its window closed is
/// something only the whole history can judge: a second build of a commit is an error there), and
/// the proxy must never give two requests one commit id. Remembering each id would grow with the
/// trace; but recorders give ids as a prefix and a rising number, so per prefix a run
/// `start..<low` and the numbers seen beyond it suffice. Numbers rise with gaps (a proxy's ids are
/// correlation ids, shared with the connection's other requests), so once more than
/// ``outsideLimit`` numbers wait beyond a run, the run jumps over the gaps below the lower half of
/// them: a number in such a gap that arrives later counts as seen. So ``contains(_:)`` may say yes
/// to an id never inserted, never no to one that was: a streaming check then takes the
/// whole-history path, the proxy gives the request a suffixed id; neither changes a verdict. Ids
/// without a number are kept as 64-bit hashes (a collision errs the same way).
package struct SeenIDs: Sendable {
    /// Numbers held beyond a prefix's run before the run jumps over gaps: how late (in ids of its
    /// prefix) an id may arrive and still count as new.
    package let outsideLimit: Int

    private struct Numbered: Sendable {
        var start = 0
        var low = 0
        var outside: Set<Int> = []
        var limit: Int

        func contains(_ number: Int) -> Bool { (number >= start && number < low) || outside.contains(number) }

        mutating func insert(_ number: Int) {
            if start == low && outside.isEmpty {
                start = number
                low = number + 1
                return
            }
            if number == low {
                low += 1
                absorb()
            } else if number == start - 1 {
                start -= 1
                while outside.remove(start - 1) != nil { start -= 1 }
            } else if !contains(number) {
                outside.insert(number)
                if outside.count > limit { jumpGaps() }
            }
        }

        /// Moves the run's end over numbers now contiguous with it.
        private mutating func absorb() {
            while outside.remove(low) != nil { low += 1 }
        }

        /// Extends the run over the lower half of the numbers beyond it, gaps included (the gaps
        /// then count as seen); numbers below the run's start stay where they are.
        private mutating func jumpGaps() {
            let above = outside.filter { $0 >= low }.sorted()
            guard above.count > limit / 2 else { return }
            let end = above[above.count / 2]
            for number in above where number <= end { outside.remove(number) }
            low = end + 1
            absorb()
        }
    }

    private var numbered: [Substring: Numbered] = [:]
    private var hashed: Set<Int> = []

    /// - Parameter outsideLimit: a streaming check's ids arrive at most a few threads late (64);
    ///   the proxy's clients' ids may arrive later, and they are few prefixes.
    package init(outsideLimit: Int = 64) { self.outsideLimit = max(2, outsideLimit) }

    /// How many ids are held one by one (beyond a run, or not numbered): what memory grows with.
    package var individuallyHeld: Int { hashed.count + numbered.values.reduce(0) { $0 + $1.outside.count } }

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

    /// Whether `id` may have been inserted: always true when it was.
    package func contains(_ id: String) -> Bool {
        if let (prefix, number) = Self.split(id) { return numbered[prefix]?.contains(number) ?? false }
        return hashed.contains(id.hashValue)
    }

    package mutating func insert(_ id: String) {
        if let (prefix, number) = Self.split(id) {
            numbered[prefix, default: Numbered(limit: outsideLimit)].insert(number)
        } else {
            hashed.insert(id.hashValue)
        }
    }
}
