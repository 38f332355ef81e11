import Z3

/// Strict order atoms between slots, with the same point never before itself.
///
/// Every encoding writes only positive `a < b` atoms and expresses "not a < b" as `b < a` (two
/// distinct points of a schedule are never simultaneous). A model with ties can then be spread
/// into a strict total order that keeps every true atom true, so no global `distinct` is needed.
struct SlotOrder {
    let context: Z3Context
    let time: [Term]

    /// `a` strictly before `b` (false for one slot).
    func less(_ a: Int32, _ b: Int32) throws -> Term {
        a == b ? try context.bool(false) : try context.less(time[Int(a)], time[Int(b)])
    }

    /// `a` at or before `b`: the same slot, or strictly before.
    func atOrBefore(_ a: Int32, _ b: Int32) throws -> Term {
        a == b ? try context.bool(true) : try context.less(time[Int(a)], time[Int(b)])
    }
}

extension Z3Decider {
    /// Monotonicity under the general model of a write (specs/system-model.md, rules 7 to 9): the
    /// committed value is the visible write with the latest order point; it regresses when it
    /// steps down into a write that is not a reset.
    ///
    /// `latest(x)`: x takes effect, and no write that takes effect with a later order point is
    /// visible at or before x's visibility point, so the value becomes x's offset there. A
    /// regression is a pair x, y with offset(x) > offset(y), y no reset, both `latest`, x visible
    /// first, and no reset `latest` strictly between them (then some step between them goes down
    /// into a write that is not a reset), or a `latest` y below the initial offset with no reset
    /// `latest` before it. `latest` and its negation each get a literal that implies them (used
    /// only positively), so every order atom stays positive.
    func decideMonotonicInGeneral(_ problem: OrderProblem, context: Z3Context, solver: Z3Solver, time: [Term], applied: [Term],
                                  assumptions: [Term]) throws -> Decision {
        guard !problem.commits.isEmpty else { return Decision(verdict: .holds, reason: "no commit applies to this key", engine: .z3) }
        let losses = try generalLosses(problem, context: context, solver: solver, time: time, applied: applied)
        if losses.isEmpty {
            return Decision(verdict: .holds, reason: "no write can become the committed value after a higher one", engine: .z3)
        }
        // Can it regress?
        try solver.push()
        try solver.assert(try context.or(losses.map(\.regresses)))
        let canRegress = try solver.check(assuming: assumptions)
        var witness: Decision? = nil
        if case .satisfiable = canRegress { witness = try generalWitness(problem, solver: solver, time: time, applied: applied) }
        try solver.pop()
        switch canRegress {
        case .unknown(let reason): return Decision(verdict: .unknown, reason: "Z3: \(reason)", engine: .z3)
        case .unsatisfiable: return Decision(verdict: .holds, reason: "Z3 proves no consistent schedule regresses", engine: .z3)
        case .satisfiable: break
        }
        // Must it regress?
        return try verdict(after: witness!, solver: solver, avoiding: losses.map(\.avoids), assumptions: assumptions)
    }

    /// One way the committed value can step down within an epoch: its size, a formula that says
    /// it happens, and one that says it does not (both with positive order atoms only).
    struct GeneralLoss {
        var size: Int
        var regresses: Term
        var avoids: Term
    }

    /// Every pair of writes (or the initial value and a write) whose values the committed offset
    /// can take one after the other within an epoch, going down.
    ///
    /// `latest(x)`: x takes effect, and no write that takes effect with a later order point is
    /// visible at or before x's visibility point, so the value becomes x's offset there. A loss is
    /// a pair x, y with offset(x) > offset(y), y no reset, both `latest`, x visible first, and no
    /// reset `latest` strictly between them (then some step between them goes down into a write
    /// that is not a reset, and the epoch's high is at least x's offset), or a `latest` y below the
    /// initial offset with no reset `latest` before it. `latest` and its negation each get a
    /// literal that implies them (used only positively), so every order atom stays positive.
    func generalLosses(_ problem: OrderProblem, context: Z3Context, solver: Z3Solver, time: [Term], applied: [Term]) throws -> [GeneralLoss] {
        let commits = problem.commits
        let count = commits.count
        let order = SlotOrder(context: context, time: time)
        let own = { (slot: Int) in Int32(slot) }
        let visible = { (slot: Int) in commits[slot].visibility }
        let closure = SlotClosure(problem)
        func forcedAtOrBefore(_ a: Int32, _ b: Int32) -> Bool { a == b || closure.precedes(Int(a), Int(b)) }

        // Pairs that can step down: y not a reset, and y can become visible after x with a later order point.
        var candidates: [(Int, Int)] = []
        for x in 0..<count {
            if x % 256 == 0 { try stopIfCancelled() }
            for y in 0..<count where x != y && commits[x].offset > commits[y].offset && !commits[y].effect.reset
                && !forcedAtOrBefore(visible(y), visible(x)) && !closure.precedes(y, x) {
                candidates.append((x, y))
            }
        }
        var belowInitial: [Int] = []
        if let initial = problem.initial {
            belowInitial = (0..<count).filter { commits[$0].offset < initial && !commits[$0].effect.reset }
        }
        guard !candidates.isEmpty || !belowInitial.isEmpty else { return [] }
        let resets = (0..<count).filter { commits[$0].effect.reset }

        var latest: [Term] = [], notLatest: [Term] = []
        for x in 0..<count {
            try stopIfCancelled()
            let isLatest = try context.boolConstant("latest\(x)")
            let isNotLatest = try context.boolConstant("notLatest\(x)")
            var hidden: [Term] = []   // some later-ordered write visible at or before x's visibility
            var clear: [Term] = [applied[x]]
            for z in 0..<count where z != x {
                clear.append(try context.or([try context.not(applied[z]), try order.less(own(z), own(x)), try order.less(visible(x), visible(z))]))
                hidden.append(try context.and([applied[z], try order.less(own(x), own(z)), try order.atOrBefore(visible(z), visible(x))]))
            }
            try solver.assert(try context.implies(isLatest, try context.and(clear)))
            try solver.assert(try context.implies(isNotLatest, try context.or([try context.not(applied[x])] + hidden)))
            latest.append(isLatest)
            notLatest.append(isNotLatest)
        }
        var losses: [GeneralLoss] = []
        for (x, y) in candidates {
            var regress = [latest[x], latest[y], try order.less(visible(x), visible(y))]
            var avoid = [notLatest[x], notLatest[y], try order.atOrBefore(visible(y), visible(x))]
            for r in resets where r != x && r != y {
                regress.append(try context.or([notLatest[r], try order.atOrBefore(visible(r), visible(x)), try order.atOrBefore(visible(y), visible(r))]))
                avoid.append(try context.and([latest[r], try order.less(visible(x), visible(r)), try order.less(visible(r), visible(y))]))
            }
            losses.append(GeneralLoss(size: commits[x].offset - commits[y].offset, regresses: try context.and(regress), avoids: try context.or(avoid)))
        }
        for y in belowInitial {
            var regress = [latest[y]]
            var avoid = [notLatest[y]]
            for r in resets where r != y {
                regress.append(try context.or([notLatest[r], try order.atOrBefore(visible(y), visible(r))]))
                avoid.append(try context.and([latest[r], try order.less(visible(r), visible(y))]))
            }
            losses.append(GeneralLoss(size: problem.initial! - commits[y].offset, regresses: try context.and(regress), avoids: try context.or(avoid)))
        }
        return losses
    }

    /// Reads a regressing schedule out of the model and names its first regressing step, by the
    /// key model's own evaluation of that schedule.
    private func generalWitness(_ problem: OrderProblem, solver: Z3Solver, time: [Term], applied: [Term]) throws -> Decision {
        let model = try solver.model()
        let values = try time.map { try model.intValue($0) }
        let order = problem.points.indices.sorted { (values[$0], problem.positions[$0]) < (values[$1], problem.positions[$1]) }
        var position = [Int](repeating: 0, count: order.count)
        for (index, slot) in order.enumerated() { position[slot] = index }
        var appliedSlots = Set<Int>()
        for slot in problem.commits.indices where try model.boolValue(applied[slot]) { appliedSlots.insert(slot) }
        let slots = problem.commits.indices.filter { appliedSlots.contains($0) }
        let writes = slots.map { slot in
            CommittedOffsetModel.Write(order: position[slot], visible: position[Int(problem.commits[slot].visibility)],
                                       offset: problem.commits[slot].offset, reset: problem.commits[slot].effect.reset)
        }
        let pair = CommittedOffsetModel(initial: problem.initial).firstRegression(writes).map { (earlier: $0.earlier.map { slots[$0] }, later: slots[$0.later]) }
        return Decision(verdict: .possible, engine: .z3, regression: pair, witness: order, witnessApplied: appliedSlots)
    }
}
