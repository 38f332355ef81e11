/// Delta debugging (Zeller's ddmin, complement-only): the one shrinking routine behind commit
/// counterexamples and register explanations.
///
/// Shared so that both kinds of evidence are 1-minimal in the same sense, and a fix to the routine
/// (how undecided checks count, when a deadline stops it) reaches both.
package enum DeltaDebugging {
    /// How a shrink ended.
    package struct Outcome<Element> {
        /// What is left: it still fails.
        package var kept: [Element]
        /// Whether `kept` is proven 1-minimal: every one-element-smaller subset was checked and
        /// passes (an undecided check or a stop leaves this false).
        package var minimal: Bool
    }

    /// Shrinks `candidates`, which must fail, to a subset for which `stillFails` holds and that
    /// loses it when any one element goes: drop halves, quarters, ... then single elements until
    /// none can go.
    ///
    /// `stillFails` returns `nil` when it cannot tell (a timeout, an interrupt): the element is
    /// kept and the result is not claimed minimal. `shouldStop` is asked before every check; when
    /// it says so, the current subset comes back, not claimed minimal.
    package static func shrink<Element>(
        _ candidates: [Element],
        shouldStop: () -> Bool = { false },
        stillFails: ([Element]) -> Bool?
    ) -> Outcome<Element> {
        var kept = candidates
        var chunk = max(kept.count / 2, 1)
        while true {
            var removed = false
            var undecided = false
            var start = 0
            while start < kept.count {
                if shouldStop() { return Outcome(kept: kept, minimal: false) }
                let end = min(start + chunk, kept.count)
                let candidate = Array(kept[..<start]) + Array(kept[end...])
                switch candidate.isEmpty ? false : stillFails(candidate) {
                case true?:
                    kept = candidate
                    removed = true
                case false?:
                    start = end
                case nil:
                    undecided = true
                    start = end
                }
            }
            // Only a pass over single elements that removes nothing, and decides every one,
            // proves it (that pass checks every one-element-smaller subset).
            if chunk == 1 && !removed { return Outcome(kept: kept, minimal: !undecided) }
            if !removed { chunk = max(chunk / 2, 1) }
        }
    }
}
