/// Which rule of the system model (specs/system-model.md) puts one point before another.
package enum OrderReason: UInt8, Sendable, CustomStringConvertible {
    /// Rule 1: events of one (proc, thread) in line order.
    case program
    /// Rule 2: timestamps of one process (or wall clocks across processes, beyond the skew).
    case clock
    /// Rule 3: a request is built before it is sent, sent before it applies, applied before its ack.
    case causality
    /// Rule 4: requests on one connection apply in the order they were sent.
    case fifo
    /// Rule 6: an `apply` observation pins the apply point into its process's order.
    case observation
    /// Rule 8: staging before the transaction's commit point, its EndTxn before it, `completed` after.
    case transaction

    /// The name the story and the page use, from the evidence's own reason (one spelling).
    package var description: String { ForcedStep.Reason(self).label }
}

/// A point of a schedule: an event, a commit's apply point, a fetch's read point, or a clock barrier.
package enum PointKind: Sendable, Equatable {
    /// A recorded event (index into ``History/events``).
    case event(Int)
    /// `A(c)`: when commit `c` (index into ``History/commits``) took effect at the broker; for a
    /// staged commit, `S(c)`, when its offsets were staged (its order point either way).
    case apply(Int)
    /// `C(T, g)`: when transaction T's staged offsets of group g became visible (an index into
    /// ``OrderGraph/transactionCommits``).
    case visible(Int)
    /// `R(f)`: when fetch `f` read the register.
    case read(Int)
    /// A helper point that stands for "later than these timestamps", keeping clock order linear in size.
    case clockBarrier
}

/// Two commits on one connection whose send order the rest of the history leaves open.
///
/// Rule 4 then says their apply order follows whichever send order happens; that is a disjunction,
/// which a partial order cannot express, so such pairs go to Z3.
package struct FIFOChoice: Sendable, Equatable {
    package var firstSend: Int32
    package var secondSend: Int32
    package var firstApply: Int32
    package var secondApply: Int32
}
