import CommitCheck
import Dispatch

/// Explains a non-linearizable history: a 1-minimal set of operations whose recorded outcomes
/// cannot be linearized, and, like Porcupine's and Knossos' reports, the operation that cannot be
/// placed and the state it would need.
///
/// Dropping an operation outright is the wrong test for a register: a read of 1 with its writes
/// of 1 removed fails for a reason the history does not have, so "1-minimal under removal" always
/// ends at one read of a value nobody wrote. Instead, an operation left out of the explanation is
/// *forgotten*, not deleted: a read is dropped, and a write or compare-and-set becomes optional (it
/// may have taken effect anywhere inside its own call-to-return window, or not at all). The claim
/// made, and tested, is then:
///
/// - the kept operations, with every other write taken as possibly applied within its window, have
///   no linearization, so the whole history has none (forgetting only adds schedules); the kept
///   operations alone also have none, so re-checking them gives the same verdict;
/// - forgetting any one kept operation gives a linearization ("1-minimal").
public struct RegisterExplainer {
    public let history: RegisterHistory
    /// Seconds of shrinking before settling for a non-minimal subset.
    public var budget: Double
    /// Stops shrinking early (the explanation is then marked not minimal).
    public var cancellation: Cancellation?

    public init(history: RegisterHistory, budget: Double = 10, cancellation: Cancellation? = nil) {
        self.history = history
        self.budget = budget
        self.cancellation = cancellation
    }

    /// The history with only `kept` (indices into `history.operations`) as recorded; every other
    /// write or compare-and-set optional with an unknown outcome, every other read dropped.
    ///
    /// Forgotten writers of a value that nothing can use are left out too (the search would
    /// branch on each for nothing): when no kept operation is a failed or unknown compare-and-set,
    /// a forgotten writer matters only if it writes a value a kept operation observes, or one a
    /// forgotten compare-and-set turns into such a value. Leaving the others out changes no answer:
    /// skipping them in a schedule leaves every state a kept operation sees as it was. Nor do
    /// forgotten operations invoked after every kept one has returned.
    public func forgettingAllBut(_ kept: [Int]) -> RegisterHistory {
        let keep = Set(kept)
        // Values a kept operation observes, closed under forgotten compare-and-sets that produce them.
        var needed: Set<Int>? = []
        for index in kept {
            switch history.operations[index].effect {
            case .read(let value?): needed?.insert(value)
            case .read(nil), .write: break
            case .cas(let expected, _, true?): needed?.insert(expected)
            case .cas(_, _, _): needed = nil  // a failed or unknown cas may use any other value
            }
        }
        if var values = needed {
            var changed = true
            while changed {
                changed = false
                for (index, operation) in history.operations.enumerated() where !keep.contains(index) {
                    if case .cas(let expected, let new, _) = operation.effect, values.contains(new), values.insert(expected).inserted {
                        changed = true
                    }
                }
            }
            needed = values
        }
        // A forgotten operation invoked after every kept one returned comes after all of them in any
        // schedule, where skipping it changes nothing a kept operation sees.
        let lastReturn = kept.map { history.operations[$0].ret }.max() ?? Int.max
        var copy = history
        copy.operations = []
        for (index, operation) in history.operations.enumerated() {
            if keep.contains(index) { copy.operations.append(operation); continue }
            if operation.call > lastReturn { continue }
            var forgotten = operation
            switch operation.effect {
            case .read: continue
            case .write(let value):
                if let needed, !needed.contains(value) { continue }
            case .cas(let expected, let new, _):
                if let needed, !needed.contains(new) { continue }
                forgotten.effect = .cas(expected: expected, new: new, succeeded: nil)
            }
            forgotten.optional = true
            copy.operations.append(forgotten)
        }
        return copy
    }

    /// Whether the kept operations still force the violation; nil when the search did not finish.
    func stillFails(_ kept: [Int], deadline: UInt64) -> Bool? {
        if cancellation?.isCancelled == true { return nil }
        let remaining = Double(Int64(deadline) - Int64(DispatchTime.now().uptimeNanoseconds)) / 1e9
        guard remaining > 0 else { return nil }
        switch LinearizabilityChecker(history: forgettingAllBut(kept), timeout: remaining, cancellation: cancellation).check() {
        case .notLinearizable: return true
        case .linearizable: return false
        case .timedOut, .interrupted: return nil
        }
    }

    /// The operations (indices into `history.operations`) the explanation keeps, and whether they
    /// were shown 1-minimal within the budget.
    public func minimalSubset() -> (operations: [Int], minimal: Bool) {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(budget, 0) * 1e9)
        let check = { (subset: [Int]) in stillFails(subset, deadline: deadline) }
        // Keeping more never lifts a violation (forgetting only adds schedules), so the shortest
        // failing prefix and then the shortest failing suffix of it are found by bisection: a few
        // checks that leave delta debugging a window of the history instead of all of it.
        let all = Array(history.operations.indices)
        let end = Self.bisect(lower: 1, upper: all.count) { check(Array(all[..<$0])) }
        let start = end - Self.bisect(lower: 1, upper: end) { check(Array(all[(end - $0)..<end])) }
        let (kept, minimal) = Self.shrink(Array(all[start..<end]), stillFails: check)
        return (kept, minimal)
    }

    public func counterexample() -> Counterexample {
        counterexample(explaining: minimalSubset())
    }

    /// The report of a subset found by `minimalSubset()`.
    public func counterexample(explaining subset: (operations: [Int], minimal: Bool)) -> Counterexample {
        let (kept, minimal) = subset
        let sub = history.keeping(kept)
        var narrative: [String] = []
        if case .notLinearizable(let blocked) = LinearizabilityChecker(history: sub, cancellation: cancellation).check() {
            narrative.append("of these operations alone, the furthest linearization places \(blocked.placed.count) of \(kept.count); the register then holds \(sub.values[blocked.state])")
            for index in blocked.placed { narrative.append("  placed: \(sub.describe(sub.operations[index]))") }
            let stuck = sub.operations[blocked.stuck]
            narrative.append("cannot place \(sub.describe(stuck)) before it returns: \(need(stuck.effect, sub)), but the register holds \(sub.values[blocked.state])")
            for index in blocked.candidates where index != blocked.stuck {
                narrative.append("  pending: \(sub.describe(sub.operations[index])): \(need(sub.operations[index].effect, sub))")
            }
        }
        narrative.append("the \(kept.count) operation(s) that cannot be linearized together, even with every other write of the history taken as possibly applied within its own call-to-return window (or not at all):")
        for operation in sub.operations { narrative.append("  \(sub.describe(operation))") }
        if minimal { narrative.append("forgetting any one of them (dropping a read, making a write optional) leaves a linearizable history") }
        let lines = Set(sub.operations.flatMap { [$0.callLine, $0.returnLine] }.filter { $0 > 0 }).sorted()
        return Counterexample(summary: "not linearizable: \(kept.count) operation(s) cannot be ordered to fit one register",
                              narrative: narrative, lines: lines, minimal: minimal)
    }

    /// Shrinks `candidates` to a 1-minimal subset for which `stillFails` holds, by the delta
    /// debugging that commit counterexamples use too (``DeltaDebugging``); `stillFails` returns nil
    /// when it cannot tell, and then the result is not claimed minimal.
    public static func shrink<Element>(_ candidates: [Element], stillFails: ([Element]) -> Bool?) -> (kept: [Element], minimal: Bool) {
        let outcome = DeltaDebugging.shrink(candidates, stillFails: stillFails)
        return (outcome.kept, outcome.minimal)
    }

    /// The least n in lower...upper for which the monotone `fails(n)` holds; `upper` when none
    /// below it is decided to fail (an undecided check counts as not failing).
    static func bisect(lower: Int, upper: Int, _ fails: (Int) -> Bool?) -> Int {
        var low = lower, high = upper
        while low < high {
            let middle = (low + high) / 2
            if fails(middle) == true { high = middle } else { low = middle + 1 }
        }
        return high
    }

    private func need(_ effect: RegisterEffect, _ history: RegisterHistory) -> String {
        switch effect {
        case .read(let value?): "it needs \(history.values[value])"
        case .read(nil), .write: "it fits any state"
        case .cas(let expected, _, let succeeded):
            switch succeeded {
            case true?: "it needs \(history.values[expected])"
            case false?: "it needs anything but \(history.values[expected])"
            case nil: "it fits any state"
            }
        }
    }
}
