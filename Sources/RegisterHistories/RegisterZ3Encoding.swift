import Z3

/// Decides linearizability of a register history with Z3, as a cross-check on the search and as a
/// fallback when the search runs out of budget.
///
/// Each operation gets a linearization point strictly inside its call and return (difference atoms
/// against a zero point). The register's value at a point is "the last effective writer before it,
/// or the initial value"; reads and compare-and-sets constrain it. An open write or an unknown
/// compare-and-set gets a boolean "took effect"; not taking effect is the same as being placed after
/// everything else. Order atoms occur only positively, so ties in a model spread into a strict order.
public struct RegisterZ3Encoding {
    public let history: RegisterHistory
    public var timeoutMilliseconds: UInt32?

    public init(history: RegisterHistory, timeoutMilliseconds: UInt32? = nil) {
        self.history = history
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// `true` linearizable, `false` not, `nil` when Z3 gave up.
    public func isLinearizable() throws -> Bool? {
        let ops = history.operations
        let context = Z3Context()
        let solver = try Z3Solver(context: context, logic: nil, timeoutMilliseconds: timeoutMilliseconds)
        let zero = try context.intConstant("zero")
        let time = try ops.indices.map { try context.intConstant("t\($0)") }
        // Event positions are consecutive integers; spread them so that every operation's point fits
        // strictly between any two events.
        let scale = ops.count + 2
        for (index, op) in ops.enumerated() {
            // call < t - zero  and  t - zero < ret
            try solver.assert(try context.difference(zero, time[index], lessThan: -op.call * scale))
            if !op.isOpen { try solver.assert(try context.difference(time[index], zero, lessThan: op.ret * scale)) }
        }
        // Writers: (operation, value written, "took effect").
        var writers: [(op: Int, value: Int, effective: Term)] = []
        for (index, op) in ops.enumerated() {
            switch op.effect {
            case .write(let value):
                writers.append((index, value, op.isOpen ? try context.boolConstant("effective\(index)") : try context.bool(true)))
            case .cas(_, let new, let succeeded) where succeeded != false:
                writers.append((index, new, succeeded == true ? try context.bool(true) : try context.boolConstant("effective\(index)")))
            default: break
            }
        }
        /// The register holds a value satisfying `accept` just before point `t` (of operation `self_`).
        func holds(at t: Term, excluding self_: Int, _ accept: (Int) -> Bool) throws -> Term {
            var options: [Term] = []
            for writer in writers where writer.op != self_ && accept(writer.value) {
                var terms = [writer.effective, try context.less(time[writer.op], t)]
                for other in writers where other.op != writer.op && other.op != self_ {
                    terms.append(try context.or([try context.not(other.effective), try context.less(time[other.op], time[writer.op]),
                                                 try context.less(t, time[other.op])]))
                }
                options.append(try context.and(terms))
            }
            if accept(history.initial) {
                var terms: [Term] = []
                for other in writers where other.op != self_ {
                    terms.append(try context.or([try context.not(other.effective), try context.less(t, time[other.op])]))
                }
                options.append(try context.and(terms))
            }
            return try context.or(options)
        }
        for (index, op) in ops.enumerated() {
            switch op.effect {
            case .read(let value?):
                try solver.assert(try holds(at: time[index], excluding: index) { $0 == value })
            case .cas(let expected, _, let succeeded):
                switch succeeded {
                case true?: try solver.assert(try holds(at: time[index], excluding: index) { $0 == expected })
                case false?: try solver.assert(try holds(at: time[index], excluding: index) { $0 != expected })
                case nil:
                    let effective = writers.first { $0.op == index }!.effective
                    try solver.assert(try context.implies(effective, try holds(at: time[index], excluding: index) { $0 == expected }))
                }
            default: break
            }
        }
        switch try solver.check() {
        case .satisfiable: return true
        case .unsatisfiable: return false
        case .unknown: return nil
        }
    }
}

/// The oracle for small histories: tries every order of the operations that respects real time.
public struct RegisterBruteForce {
    public let history: RegisterHistory
    public init(history: RegisterHistory) { self.history = history }

    public func isLinearizable() -> Bool {
        let ops = history.operations
        var used = [Bool](repeating: false, count: ops.count)
        func extend(_ state: Int, _ placedCount: Int) -> Bool {
            if placedCount == ops.count { return true }
            for candidate in ops.indices where !used[candidate] {
                // Everything that returned before this call must already be placed.
                if ops.indices.contains(where: { !used[$0] && $0 != candidate && ops[$0].ret < ops[candidate].call }) { continue }
                guard let next = RegisterModel.step(state, ops[candidate].effect) else {
                    // An open operation may also never take effect: placed last, invisible.
                    if ops[candidate].isOpen {
                        used[candidate] = true
                        defer { used[candidate] = false }
                        if extend(state, placedCount + 1) { return true }
                    }
                    continue
                }
                used[candidate] = true
                defer { used[candidate] = false }
                if extend(next, placedCount + 1) { return true }
                if ops[candidate].isOpen && extend(state, placedCount + 1) { return true }
            }
            return false
        }
        return extend(history.initial, 0)
    }
}
