/// The committed offset of one key, as the group coordinator keeps it (specs/system-model.md,
/// rules 7 to 9): one definition of "the committed value after these writes" and "this step is a
/// regression", evaluated on one concrete schedule.
///
/// In the spirit of Porcupine's `Model`: the checker's symbolic encodings say the same thing as
/// formulas; the brute-force enumerator, the solver's witness and the regression size evaluate it
/// here. Each write has an order point (where the coordinator appends its record: `A(c)`, or `S(c)`
/// for a staged offset) and a visibility point (`A(c)`, or its transaction's commit point). The
/// committed value at any point is the offset of the visible write with the latest order point, or
/// the initial value while none is visible. A step of that value to a lower offset is a regression,
/// unless the write it steps to is a reset (which starts a new epoch).
package struct CommittedOffsetModel: Sendable {
    /// One write that takes effect in the schedule, by the positions of its points in it.
    package struct Write: Sendable, Equatable {
        package var order: Int
        package var visible: Int
        package var offset: Int
        package var reset: Bool

        package init(order: Int, visible: Int, offset: Int, reset: Bool = false) {
            self.order = order
            self.visible = visible
            self.offset = offset
            self.reset = reset
        }
    }

    /// One change of the committed value: the write it now comes from, and the value before.
    package struct Step: Sendable, Equatable {
        /// Index into the writes.
        package var write: Int
        /// The value before (`nil`: the unknown initial value).
        package var previous: Int?
        /// The write the previous value came from (`nil`: the initial value).
        package var previousWrite: Int?
        /// The new value goes below the previous one and is not a reset.
        package var regresses: Bool
    }

    package var initial: Int?

    package init(initial: Int?) { self.initial = initial }

    /// The value's changes over the schedule, in order.
    package func steps(_ writes: [Write]) -> [Step] {
        let byVisibility = writes.indices.sorted { (writes[$0].visible, writes[$0].order) < (writes[$1].visible, writes[$1].order) }
        var steps: [Step] = []
        var current: Int? = nil
        var index = 0
        while index < byVisibility.count {
            // Writes that become visible at one point (a transaction's commit) together: the latest-ordered one counts.
            var latest = byVisibility[index]
            var next = index + 1
            while next < byVisibility.count, writes[byVisibility[next]].visible == writes[latest].visible {
                if writes[byVisibility[next]].order > writes[latest].order { latest = byVisibility[next] }
                next += 1
            }
            index = next
            if let current, writes[current].order > writes[latest].order { continue }
            let previous = current.map { writes[$0].offset } ?? initial
            let regresses = !writes[latest].reset && previous.map { writes[latest].offset < $0 } == true
            steps.append(Step(write: latest, previous: previous, previousWrite: current, regresses: regresses))
            current = latest
        }
        return steps
    }

    /// The first regressing step, as (the write the higher value came from, or `nil` for the
    /// initial value; the write of the lower value).
    package func firstRegression(_ writes: [Write]) -> (earlier: Int?, later: Int)? {
        steps(writes).first { $0.regresses }.map { ($0.previousWrite, $0.write) }
    }

    /// Whether the committed value ever steps down into a write that is not a reset.
    package func regresses(_ writes: [Write]) -> Bool { firstRegression(writes) != nil }

    /// How far the value goes back, counted from the last reset: the highest value of the epoch
    /// (or the initial value) minus a later, lower one.
    package func drawdown(_ writes: [Write]) -> Int {
        var peak = initial
        var loss = 0
        for step in steps(writes) {
            let offset = writes[step.write].offset
            if writes[step.write].reset {
                peak = offset
                continue
            }
            if let high = peak { loss = max(loss, high - offset) }
            peak = max(peak ?? Int.min, offset)
        }
        return loss
    }

    /// What a read at `position` returns: the visible write with the latest order point before it,
    /// else the initial value (`nil` inside: unknown).
    package func value(at position: Int, _ writes: [Write]) -> (value: Int?, write: Int?) {
        var best: Int? = nil
        for index in writes.indices where writes[index].visible < position {
            if best == nil || writes[index].order > writes[best!].order { best = index }
        }
        return best.map { (writes[$0].offset, $0) } ?? (initial, nil)
    }
}
