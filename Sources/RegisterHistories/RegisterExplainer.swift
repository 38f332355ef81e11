import CommitCheck
import Dispatch

/// Explains a non-linearizable history: a smallest subset of operations that still cannot be
/// linearized (1-minimal: dropping any one makes it linearizable), and, like Porcupine's and Knossos'
/// reports, the operation that cannot be placed and the state it would need.
public struct RegisterExplainer {
    public let history: RegisterHistory
    /// Seconds of shrinking before settling for a non-minimal subset.
    public var budget: Double

    public init(history: RegisterHistory, budget: Double = 10) {
        self.history = history
        self.budget = budget
    }

    public func counterexample() -> Counterexample {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(budget, 0) * 1e9)
        var kept = Array(history.operations.indices)
        var minimal = true
        // A subset that drops the writers of a value it still reads is "not linearizable" for a
        // trivial reason; keep, with every observation, all operations that could have written it.
        var writersOf: [Int: [Int]] = [:]
        for (index, operation) in history.operations.enumerated() {
            switch operation.effect {
            case .write(let value): writersOf[value, default: []].append(index)
            case .cas(_, let new, let succeeded) where succeeded != false: writersOf[new, default: []].append(index)
            default: break
            }
        }
        func closed(_ subset: [Int]) -> [Int] {
            var result = Set(subset)
            var work = subset
            while let index = work.popLast() {
                let observer = history.operations[index]
                let observed: Int?
                switch observer.effect {
                case .read(let value?): observed = value
                case .cas(let expected, _, true?): observed = expected
                default: observed = nil
                }
                // Only writers invoked before the observer returned could have explained it.
                guard let observed else { continue }
                // A writer added here may itself observe (a successful cas): follow it too.
                for writer in writersOf[observed] ?? [] where history.operations[writer].call < observer.ret {
                    if result.insert(writer).inserted { work.append(writer) }
                }
            }
            return result.sorted()
        }
        var chunk = max(kept.count / 2, 1)
        shrinking: while true {
            var removed = false
            var start = 0
            while start < kept.count {
                if DispatchTime.now().uptimeNanoseconds > deadline { minimal = false; break shrinking }
                let end = min(start + chunk, kept.count)
                let candidate = closed(Array(kept[..<start]) + Array(kept[end...]))
                if !candidate.isEmpty, candidate.count < kept.count, case .notLinearizable = LinearizabilityChecker(history: history.keeping(candidate), timeout: 5).check() {
                    kept = candidate
                    removed = true
                } else {
                    start = end
                }
            }
            if chunk == 1 && !removed { break }
            if !removed { chunk = max(chunk / 2, 1) }
        }
        let sub = history.keeping(kept)
        var narrative: [String] = []
        if case .notLinearizable(let blocked) = LinearizabilityChecker(history: sub).check() {
            narrative.append("the furthest linearization places \(blocked.placed.count) of \(kept.count) operations; the register then holds \(sub.values[blocked.state])")
            for index in blocked.placed { narrative.append("  placed: \(sub.describe(sub.operations[index]))") }
            let stuck = sub.operations[blocked.stuck]
            narrative.append("cannot place \(sub.describe(stuck)) before it returns: \(need(stuck.effect, sub)), but the register holds \(sub.values[blocked.state])")
            for index in blocked.candidates where index != blocked.stuck {
                narrative.append("  pending: \(sub.describe(sub.operations[index])): \(need(sub.operations[index].effect, sub))")
            }
        }
        narrative.append("the \(kept.count) operation(s) that cannot be linearized together:")
        for operation in sub.operations { narrative.append("  \(sub.describe(operation))") }
        let lines = Set(sub.operations.flatMap { [$0.callLine, $0.returnLine] }.filter { $0 > 0 }).sorted()
        return Counterexample(summary: "not linearizable: \(kept.count) operation(s) cannot be ordered to fit one register",
                              narrative: narrative, lines: lines, minimal: minimal)
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
