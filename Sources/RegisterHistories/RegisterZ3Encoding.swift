import CommitCheck
import Foundation
import Z3

/// Interrupts a Z3 context once `cancellation` is cancelled, polling every 20 ms until stopped.
///
/// Z3 remembers an interrupt (``Z3Context/interrupt()``), so one call is enough even when it lands
/// before the check starts.
final class InterruptWatch: @unchecked Sendable {
    private let context: Z3Context
    private let condition = NSCondition()
    private var stopped = false

    init(context: Z3Context, cancellation: Cancellation?) {
        self.context = context
        guard let cancellation else { stopped = true; return }
        Thread.detachNewThread { [self] in
            condition.lock()
            defer { condition.unlock() }
            while !stopped {
                if cancellation.isCancelled { self.context.interrupt(); return }
                _ = condition.wait(until: Date().addingTimeInterval(0.02))
            }
        }
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }
}

/// Decides linearizability of a register history with Z3, as a cross-check on the search and as a
/// fallback when the search runs out of budget.
///
/// Each operation gets a linearization point strictly inside its call and return (difference atoms
/// against a zero point). The register's value at a point is "the last effective writer before it,
/// or the initial value"; reads and compare-and-sets constrain it. An open write or an unknown
/// compare-and-set gets a boolean "took effect"; not taking effect is the same as being placed after
/// everything else. Order atoms occur only positively, so ties in a model spread into a strict order.
/// An `optional` write or compare-and-set also gets "took effect"; an optional read or failed
/// compare-and-set constrains nothing.
public struct RegisterZ3Encoding {
    public let history: RegisterHistory
    public var timeoutMilliseconds: UInt32?
    /// Interrupts the check when cancelled (SIGINT); the answer is then nil.
    public var cancellation: Cancellation?

    public init(history: RegisterHistory, timeoutMilliseconds: UInt32? = nil, cancellation: Cancellation? = nil) {
        self.history = history
        self.timeoutMilliseconds = timeoutMilliseconds
        self.cancellation = cancellation
    }

    /// `true` linearizable, `false` not, `nil` when Z3 gave up.
    public func isLinearizable() throws -> Bool? {
        let ops = history.operations
        let context = Z3Context()
        let solver = try Z3Solver(context: context, logic: nil, timeoutMilliseconds: timeoutMilliseconds)
        let zero = try context.intConstant("zero")
        let time = try ops.indices.map { try context.intConstant("t\($0)") }
        // Event positions are integers; spread them so that every operation's point fits strictly
        // between any two events. A return and a call at the same position overlap, as in the
        // search (`LinearizabilityChecker` sorts calls first): each window reaches half a step
        // beyond its events.
        let scale = 2 * (ops.count + 2)
        for (index, op) in ops.enumerated() {
            // call - 1/2 < t - zero  and  t - zero < ret + 1/2
            try solver.assert(try context.difference(zero, time[index], lessThan: -(op.call * scale - scale / 2)))
            if !op.isOpen { try solver.assert(try context.difference(time[index], zero, lessThan: op.ret * scale + scale / 2)) }
        }
        // Writers: (operation, value written, "took effect").
        var writers: [(op: Int, value: Int, effective: Term)] = []
        for (index, op) in ops.enumerated() {
            switch op.effect {
            case .write(let value):
                writers.append((index, value, op.isOpen || op.optional ? try context.boolConstant("effective\(index)") : try context.bool(true)))
            case .cas(_, let new, let succeeded) where succeeded != false:
                writers.append((index, new, succeeded == true && !op.optional ? try context.bool(true) : try context.boolConstant("effective\(index)")))
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
            // An optional operation without effect constrains nothing.
            if op.optional, let effective = writers.first(where: { $0.op == index })?.effective {
                switch op.effect {
                case .cas(let expected, _, let succeeded) where succeeded != false:
                    try solver.assert(try context.implies(effective, try holds(at: time[index], excluding: index) { $0 == expected }))
                default: break
                }
                continue
            }
            if op.optional { continue }
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
        // `Cancellation` registers only the checker's own contexts (its `whileRunning` is internal
        // to CommitCheck), so watch the flag here and interrupt this context when it is set.
        let watch = InterruptWatch(context: context, cancellation: cancellation)
        defer { watch.stop() }
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
                    // An open operation may also never take effect: placed last, invisible; an
                    // optional one may be placed without its effect.
                    if ops[candidate].isOpen || ops[candidate].optional {
                        used[candidate] = true
                        defer { used[candidate] = false }
                        if extend(state, placedCount + 1) { return true }
                    }
                    continue
                }
                used[candidate] = true
                defer { used[candidate] = false }
                if extend(next, placedCount + 1) { return true }
                if (ops[candidate].isOpen || ops[candidate].optional) && extend(state, placedCount + 1) { return true }
            }
            return false
        }
        return extend(history.initial, 0)
    }
}
