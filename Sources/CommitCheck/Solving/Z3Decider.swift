import Z3

/// Decides a key with Z3 in difference logic (specs/verdicts.md; the encoding notes below).
///
/// Each slot is an integer time point; edges are `a < b`; an open FIFO choice is
/// `(s1 < s2 ∧ a1 < a2) ∨ (s2 < s1 ∧ a2 < a1)`; a commit that may or may not apply gets a boolean.
/// Every order atom occurs positively, so any model with ties can be spread into a strict total
/// order that satisfies the same atoms: no global `distinct` is needed.
package struct Z3Decider {
    /// Per-check budget; past it the verdict is `unknown` with Z3's reason.
    package var timeoutMilliseconds: UInt32?

    /// Track each edge with an assumption literal so that a `holds` proof can name its facts.
    package var explain = false
    /// Interrupts the checks when the run is cancelled (SIGINT).
    package var cancellation: Cancellation? = nil

    package init(timeoutMilliseconds: UInt32? = nil, explain: Bool = false) {
        self.timeoutMilliseconds = timeoutMilliseconds
        self.explain = explain
    }

    /// Why the constraints alone have no model: the history contradicts itself through FIFO choices.
    package struct Inconsistent: Error {}

    /// The run was cancelled while the formula was still being built (Z3 can only interrupt a check).
    package struct Interrupted: Error, CustomStringConvertible {
        package var description: String { "interrupted" }
    }

    func stopIfCancelled() throws {
        if cancellation?.isCancelled == true { throw Interrupted() }
    }

    /// Decides the key's monotonicity over the schedules that explain every read of the problem.
    ///
    /// The reads must be satisfiable together (``checkReads(_:)`` first): a problem whose reads no
    /// schedule explains would come out `holds` for want of any schedule.
    package func decide(_ problem: OrderProblem) throws -> Decision {
        guard !problem.commits.isEmpty else { return Decision(verdict: .holds, reason: "no two commits of this key can apply in decreasing order", engine: .z3) }
        let context = Z3Context()
        if let cancellation { return try cancellation.whileRunning(context) { try decide(problem, in: context) } }
        return try decide(problem, in: context)
    }

    /// Whether some consistent schedule explains every read of the problem together; if none does,
    /// a minimal set of reads that clash (an unsat core shrunk by deletion).
    package func checkReads(_ problem: OrderProblem) throws -> ReadsDecision {
        guard !problem.reads.isEmpty else { return ReadsDecision(verdict: .holds, reason: "no fetch result to explain") }
        let context = Z3Context()
        let body = { () throws -> ReadsDecision in
            let (solver, time, applied, edgeLiterals) = try self.base(problem, in: context)
            switch try solver.check(assuming: edgeLiterals) {
            case .unsatisfiable: throw Inconsistent()
            case .unknown(let reason): return ReadsDecision(verdict: .unknown, reason: "Z3: \(reason)")
            case .satisfiable: break
            }
            let readLiterals = try self.encodeReads(problem, context: context, solver: solver, time: time, applied: applied)
            return try self.checkReads(solver: solver, base: edgeLiterals, readLiterals: readLiterals)
        }
        if let cancellation { return try cancellation.whileRunning(context, body) }
        return try body()
    }

    /// The solver with rules 1–6 asserted: order edges, open FIFO choices, and the applied flags of
    /// the key's commits followed by those of the linked writes.
    private func base(_ problem: OrderProblem, in context: Z3Context) throws -> (Z3Solver, [Term], [Term], [Term]) {
        let solver = try Z3Solver(context: context, logic: "QF_IDL", timeoutMilliseconds: timeoutMilliseconds)
        let time = try problem.points.indices.map { try context.intConstant("t\($0)") }
        // Whether each write takes effect: its request's own outcome, and (for a staged write whose
        // transaction is undecided) that transaction's outcome, one boolean per transaction shared
        // by all its writes (rule 8).
        var transactions: [Int: Term] = [:]
        func effect(_ effect: WriteEffect, name: String) throws -> Term {
            let request = effect.request == .applied ? try context.bool(true) : try context.boolConstant(name)
            guard let transaction = effect.pendingTransaction else { return request }
            if transactions[transaction] == nil { transactions[transaction] = try context.boolConstant("txn\(transaction)") }
            return effect.request == .applied ? transactions[transaction]! : try context.and([request, transactions[transaction]!])
        }
        var applied: [Term] = []
        for (slot, commit) in problem.commits.enumerated() {
            applied.append(try effect(commit.effect, name: "applied\(slot)"))
        }
        for (index, write) in problem.linkedWrites.enumerated() {
            applied.append(try effect(write.effect, name: "linked\(index)"))
        }
        var literalsMade: [Term] = []
        for (index, (from, to)) in problem.edges.enumerated() {
            let atom = try context.less(time[Int(from)], time[Int(to)])
            if explain {
                let literal = try context.boolConstant("edge\(index)")
                literalsMade.append(literal)
                try solver.assert(try context.implies(literal, atom))
            } else {
                try solver.assert(atom)
            }
        }
        for (s1, s2, a1, a2) in problem.choices {
            let forward = try context.and([try context.less(time[Int(s1)], time[Int(s2)]), try context.less(time[Int(a1)], time[Int(a2)])])
            let backward = try context.and([try context.less(time[Int(s2)], time[Int(s1)]), try context.less(time[Int(a2)], time[Int(a1)])])
            try solver.assert(try context.or([forward, backward]))
        }
        return (solver, time, applied, literalsMade)
    }

    private func decide(_ problem: OrderProblem, in context: Z3Context) throws -> Decision {
        let (solver, time, applied, edgeLiterals) = try base(problem, in: context)
        switch try solver.check(assuming: edgeLiterals) {
        case .unsatisfiable: throw Inconsistent()
        case .unknown(let reason): return Decision(verdict: .unknown, reason: "Z3: \(reason)", engine: .z3)
        case .satisfiable: break
        }
        // Rule 7: each read is explained by the last applied write before it, or the initial value.
        var readAssumptions: [Term] = []
        if !problem.reads.isEmpty {
            readAssumptions = try encodeReads(problem, context: context, solver: solver, time: time, applied: applied)
        }
        return try decideMonotonic(problem, context: context, solver: solver, time: time, applied: applied,
                                   edgeLiterals: edgeLiterals, assumptions: edgeLiterals + readAssumptions)
    }

    /// Asserts each read's explanation under its own literal; returns the literals.
    ///
    /// A read of value `v` is explained by a write `w` of `v` that applied before the read point with
    /// no other applied write of ``KeyRead/writers`` between them, or by the initial value when no
    /// writer applied before it. Writers left out of the list cannot matter (``ReadPlacement``).
    private func encodeReads(_ problem: OrderProblem, context: Z3Context, solver: Z3Solver, time: [Term], applied: [Term]) throws -> [Term] {
        var literals: [Term] = []
        var usesInitial: [Term?] = []
        let order = SlotOrder(context: context, time: time)
        for (index, read) in problem.reads.enumerated() {
            try stopIfCancelled()
            let readSlot = read.slot
            let writes = read.writers.map { (writer: $0, write: problem.write($0)) }
            var explanations: [Term] = []
            for (writer, write) in writes where write.offset == read.value {
                // Visible before the read, and no other visible write appended after it (rules 7, 8).
                var conjuncts = [applied[writer], try order.less(write.visibility, readSlot)]
                for (other, otherWrite) in writes where other != writer {
                    conjuncts.append(try context.or([try context.not(applied[other]), try order.less(otherWrite.slot, write.slot),
                                                     try order.less(readSlot, otherWrite.visibility)]))
                }
                explanations.append(try context.and(conjuncts))
            }
            var initialTerm: Term? = nil
            if !read.certainBefore {
                let nothingBefore = try writes.map { try context.or([try context.not(applied[$0.writer]), try order.less(readSlot, $0.write.visibility)]) }
                if let initial = read.initial {
                    if initial == read.value { explanations.append(try context.and(nothingBefore)) }
                } else {
                    // One unknown initial value per key: reads explained by it must agree with each other.
                    let term = try context.boolConstant("initial\(index)")
                    initialTerm = term
                    explanations.append(try context.and([term] + nothingBefore))
                }
            }
            usesInitial.append(initialTerm)
            let literal = try context.boolConstant("read\(index)")
            try solver.assert(try context.implies(literal, explanations.isEmpty ? try context.bool(false) : try context.or(explanations)))
            literals.append(literal)
        }
        for i in problem.reads.indices {
            for j in problem.reads.indices where i < j && problem.reads[i].partition == problem.reads[j].partition
                && problem.reads[i].value != problem.reads[j].value {
                guard let a = usesInitial[i], let b = usesInitial[j] else { continue }
                try solver.assert(try context.or([try context.not(a), try context.not(b)]))
            }
        }
        return literals
    }

    /// Whether all reads fit together; if not, a minimal clashing subset (core, then deletion).
    private func checkReads(solver: Z3Solver, base: [Term], readLiterals: [Term]) throws -> ReadsDecision {
        switch try solver.check(assuming: base + readLiterals) {
        case .satisfiable: return ReadsDecision(verdict: .holds, reason: "a consistent schedule explains every fetch result")
        case .unknown(let reason): return ReadsDecision(verdict: .unknown, reason: "Z3: \(reason)")
        case .unsatisfiable: break
        }
        let core = Set(try solver.unsatCore())
        var kept = readLiterals.indices.filter { core.contains(readLiterals[$0]) }
        if kept.isEmpty { kept = Array(readLiterals.indices) }
        var index = 0
        while index < kept.count {
            var without = kept
            without.remove(at: index)
            switch try solver.check(assuming: base + without.map { readLiterals[$0] }) {
            case .unsatisfiable: kept = without
            case .satisfiable: index += 1
            case .unknown(let reason): return ReadsDecision(verdict: .unknown, reason: "Z3: \(reason) (while shrinking the clashing reads)")
            }
        }
        return ReadsDecision(verdict: .violated, reason: "no consistent schedule explains these fetch results together", clashingReads: kept)
    }

    /// How far the key's committed offset goes back, as a drawdown: a value the register held
    /// (or its initial value) minus a lower value applied later. That is what a consumer that
    /// restarts then consumes again. `largest`: the most some consistent schedule loses;
    /// `guaranteed` (asked for `violated` keys): the least every consistent schedule loses.
    /// Each is found by a binary search over the possible sizes, one solver check per step.
    /// Pairs of commits that can apply in decreasing order beyond which ``regressionSize(_:guaranteed:)`` gives up.
    package static let regressionSizeLossLimit = 20_000

    package func regressionSize(_ problem: OrderProblem, guaranteed wantGuaranteed: Bool) throws -> RegressionSize? {
        guard !problem.commits.isEmpty else { return nil }
        let context = Z3Context()
        let body = { () throws -> RegressionSize? in
            let (solver, time, applied, edgeLiterals) = try self.base(problem, in: context)
            var assumptions = edgeLiterals
            if !problem.reads.isEmpty {
                assumptions += try self.encodeReads(problem, context: context, solver: solver, time: time, applied: applied)
            }
            // Every way to lose value: (size, what says it happens, what says it does not).
            var losses: [(size: Int, term: Term, avoided: Term?)] = []
            if problem.needsGeneralModel {
                losses = try self.generalLosses(problem, context: context, solver: solver, time: time, applied: applied)
                    .map { ($0.size, $0.regresses, $0.avoids) }
            } else {
                let count = problem.commits.count
                let closure = SlotClosure(problem)
                for x in 0..<count {
                    try self.stopIfCancelled()
                    for y in 0..<count where problem.commits[x].offset > problem.commits[y].offset && !closure.precedes(y, x) {
                        losses.append((problem.commits[x].offset - problem.commits[y].offset,
                                       try context.and([applied[x], applied[y], try context.less(time[x], time[y])]), nil))
                    }
                }
                if let initial = problem.initial {
                    for y in 0..<count where problem.commits[y].offset < initial { losses.append((initial - problem.commits[y].offset, applied[y], nil)) }
                }
            }
            // Past this many ways to lose, the search costs more than the answer is worth: no size.
            guard losses.count <= Self.regressionSizeLossLimit else { return nil }
            let sizes = Array(Set(losses.map(\.size))).sorted()
            guard !sizes.isEmpty else { return nil }
            /// Whether some schedule loses at least `size`.
            func someLoses(_ size: Int) throws -> Bool? {
                try solver.push()
                defer { try? solver.pop() }
                try solver.assert(try context.or(losses.filter { $0.size >= size }.map(\.term)))
                switch try solver.check(assuming: assumptions) {
                case .satisfiable: return true
                case .unsatisfiable: return false
                case .unknown: return nil
                }
            }
            /// Whether every schedule loses at least `size`.
            func everyLoses(_ size: Int) throws -> Bool? {
                try solver.push()
                defer { try? solver.pop() }
                for loss in losses where loss.size >= size { try solver.assert(try loss.avoided ?? context.not(loss.term)) }
                switch try solver.check(assuming: assumptions) {
                case .satisfiable: return false
                case .unsatisfiable: return true
                case .unknown: return nil
                }
            }
            /// The largest size in `sizes` for which `holds` is true (it holds for all smaller ones), or 0.
            func largest(_ holds: (Int) throws -> Bool?) throws -> Int? {
                var low = 0, high = sizes.count   // sizes[..<low] hold, sizes[high...] do not
                while low < high {
                    let mid = (low + high) / 2
                    guard let answer = try holds(sizes[mid]) else { return nil }
                    if answer { low = mid + 1 } else { high = mid }
                }
                return low == 0 ? 0 : sizes[low - 1]
            }
            guard let most = try largest(someLoses), most > 0 else { return nil }
            var size = RegressionSize(largest: most)
            if wantGuaranteed, let least = try largest(everyLoses), least > 0 { size.guaranteed = least }
            return size
        }
        if let cancellation { return try cancellation.whileRunning(context, body) }
        return try body()
    }

    private func decideMonotonic(_ problem: OrderProblem, context: Z3Context, solver: Z3Solver, time: [Term], applied: [Term],
                                 edgeLiterals: [Term], assumptions: [Term]) throws -> Decision {
        if problem.needsGeneralModel {
            return try decideMonotonicInGeneral(problem, context: context, solver: solver, time: time, applied: applied, assumptions: assumptions)
        }
        let count = problem.commits.count
        guard count > 0 else { return Decision(verdict: .holds, reason: "no commit applies to this key", engine: .z3) }
        // Pairs that the partial order already puts in increasing order cannot regress: skip them.
        let closure = SlotClosure(problem)
        var candidates: [(Int, Int)] = []
        for x in 0..<count {
            if x % 256 == 0 { try stopIfCancelled() }
            for y in 0..<count where problem.commits[x].offset > problem.commits[y].offset && !closure.precedes(y, x) {
                candidates.append((x, y))
            }
        }
        var belowInitial: [Int] = []
        if let initial = problem.initial {
            belowInitial = (0..<count).filter { problem.commits[$0].offset < initial }
        }

        if candidates.isEmpty && belowInitial.isEmpty {
            var decision = Decision(verdict: .holds, reason: "every pair of different offsets is forced into increasing order", engine: .z3)
            if explain { decision.proofFacts = problem.edges.map { (Int($0.0), Int($0.1)) } }
            return decision
        }

        // Can it regress?
        try solver.push()
        var regressions: [Term] = []
        for (x, y) in candidates {
            regressions.append(try context.and([applied[x], applied[y], try context.less(time[x], time[y])]))
        }
        for y in belowInitial { regressions.append(applied[y]) }
        try solver.assert(try context.or(regressions))
        let canRegress = try solver.check(assuming: assumptions)
        var core: [(Int, Int)]? = nil
        if explain, case .unsatisfiable = canRegress {
            let used = Set(try solver.unsatCore())
            core = edgeLiterals.indices.filter { used.contains(edgeLiterals[$0]) }.map { (Int(problem.edges[$0].0), Int(problem.edges[$0].1)) }
        }
        var witness: Decision? = nil
        if case .satisfiable = canRegress {
            witness = try witnessDecision(problem, solver: solver, time: time, applied: applied, candidates: candidates, belowInitial: belowInitial)
        }
        try solver.pop()
        switch canRegress {
        case .unknown(let reason): return Decision(verdict: .unknown, reason: "Z3: \(reason)", engine: .z3)
        case .unsatisfiable:
            var decision = Decision(verdict: .holds, reason: "Z3 proves no consistent schedule regresses", engine: .z3)
            decision.proofFacts = core
            return decision
        case .satisfiable: break
        }

        // Must it regress?
        var avoiding: [Term] = []
        for (x, y) in candidates {
            avoiding.append(try context.or([try context.not(applied[x]), try context.not(applied[y]), try context.less(time[y], time[x])]))
        }
        for y in belowInitial { avoiding.append(try context.not(applied[y])) }
        return try verdict(after: witness!, solver: solver, avoiding: avoiding, assumptions: assumptions)
    }

    /// `violated` or `possible`, once some schedule regresses: whether the constraints also admit a
    /// schedule that meets every one of `avoiding` (no loss anywhere).
    func verdict(after witness: Decision, solver: Z3Solver, avoiding: [Term], assumptions: [Term]) throws -> Decision {
        try solver.push()
        for clause in avoiding { try solver.assert(clause) }
        let canAvoid = try solver.check(assuming: assumptions)
        try solver.pop()
        var decision = witness
        switch canAvoid {
        case .unknown(let reason): return Decision(verdict: .unknown, reason: "Z3: \(reason)", engine: .z3)
        case .unsatisfiable:
            decision.verdict = .violated
            decision.reason = "Z3 proves every consistent schedule regresses"
        case .satisfiable:
            decision.verdict = .possible
            decision.reason = "some consistent schedules regress and some do not"
        }
        return decision
    }

    /// Reads a regressing schedule out of the model and names its first regressing pair.
    private func witnessDecision(_ problem: OrderProblem, solver: Z3Solver, time: [Term], applied: [Term],
                                 candidates: [(Int, Int)], belowInitial: [Int]) throws -> Decision {
        let model = try solver.model()
        let values = try time.map { try model.intValue($0) }
        let order = problem.points.indices.sorted { (values[$0], problem.positions[$0]) < (values[$1], problem.positions[$1]) }
        var appliedSlots = Set<Int>()
        for slot in problem.commits.indices where try model.boolValue(applied[slot]) { appliedSlots.insert(slot) }
        var pair: (Int?, Int)? = nil
        if let initial = problem.initial,
           let first = order.first(where: { $0 < problem.commits.count && appliedSlots.contains($0) }),
           problem.commits[first].offset < initial {
            pair = (nil, first)
        }
        if pair == nil {
            var previous: Int? = nil
            for slot in order where slot < problem.commits.count && appliedSlots.contains(slot) {
                if let earlier = previous, problem.commits[earlier].offset > problem.commits[slot].offset {
                    pair = (earlier, slot)
                    break
                }
                previous = slot
            }
        }
        return Decision(verdict: .possible, engine: .z3, regression: pair, witness: order, witnessApplied: appliedSlots)
    }
}

/// The transitive closure of a problem's edges as bit rows, for pruning pairs before Z3.
struct SlotClosure {
    private var rows: [[UInt64]]
    private let words: Int

    init(_ problem: OrderProblem) {
        let count = problem.points.count
        words = (count + 63) / 64
        rows = [[UInt64]](repeating: [UInt64](repeating: 0, count: words), count: count)
        var successors = [[Int]](repeating: [], count: count)
        for (from, to) in problem.edges { successors[Int(from)].append(Int(to)) }
        let order = (0..<count).sorted { problem.positions[$0] > problem.positions[$1] }
        for slot in order {
            var row = [UInt64](repeating: 0, count: words)
            for next in successors[slot] {
                row[next / 64] |= 1 << UInt64(next % 64)
                for word in 0..<words { row[word] |= rows[next][word] }
            }
            rows[slot] = row
        }
    }

    /// Whether the edges force `a` before `b`.
    func precedes(_ a: Int, _ b: Int) -> Bool { rows[a][b / 64] & (1 << UInt64(b % 64)) != 0 }
}
