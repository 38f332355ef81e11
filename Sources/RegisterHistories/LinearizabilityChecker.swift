import CommitCheck
import Dispatch

/// Decides linearizability of a register history by the Wing–Gong/Lowe search, as Porcupine does.
///
/// Operations become call and return entries in a doubly linked list in time order. The search
/// linearizes calls that come before the first pending return, backtracking when a return is reached
/// with its operation not yet placed. A memo of (set of placed operations, register state) prunes
/// every configuration already explored, which is what makes the search fast on real histories.
/// An `optional` operation is placed either with its effect or without it (a second branch).
public struct LinearizabilityChecker {
    public let history: RegisterHistory
    /// Give up after this many seconds (`unknown`).
    public var timeout: Double?
    /// Checked every few thousand steps: SIGINT stops the search within milliseconds.
    public var cancellation: Cancellation?

    public init(history: RegisterHistory, timeout: Double? = nil, cancellation: Cancellation? = nil) {
        self.history = history
        self.timeout = timeout
        self.cancellation = cancellation
    }

    public enum Outcome: Equatable, Sendable {
        case linearizable
        /// Not linearizable; the deepest partial linearization found and what blocked it.
        case notLinearizable(Blocked)
        case timedOut
        /// `cancellation` was cancelled before the search finished.
        case interrupted
    }

    /// Where the search got furthest: the placed prefix, the state then, and the operation whose
    /// completion came before it could be placed.
    public struct Blocked: Equatable, Sendable {
        public var placed: [Int]
        public var state: Int
        public var stuck: Int
        /// Operations that were candidates at that point (invoked, not placed).
        public var candidates: [Int]
    }

    public func check() -> Outcome {
        let ops = history.operations
        let count = ops.count
        if count == 0 { return .linearizable }
        // Entries: 2 per op. Open operations return after everything, in call order.
        var entries: [(time: Int, op: Int, isCall: Bool)] = []
        entries.reserveCapacity(2 * count)
        let horizon = (ops.map { $0.isOpen ? $0.call : $0.ret }.max() ?? 0) + 1
        for (index, op) in ops.enumerated() {
            entries.append((op.call, index, true))
            entries.append((op.isOpen ? horizon + op.call : op.ret, index, false))
        }
        // Ties: calls first (two operations that touch at one instant overlap).
        entries.sort { ($0.time, $0.isCall ? 0 : 1, $0.op) < ($1.time, $1.isCall ? 0 : 1, $1.op) }
        let size = entries.count
        // Linked list over entry positions with a head sentinel at index `size`.
        var next = [Int](repeating: -1, count: size + 1)
        var previous = [Int](repeating: -1, count: size + 1)
        let head = size
        var last = head
        for position in 0..<size {
            next[last] = position
            previous[position] = last
            last = position
        }
        next[last] = -1
        var returnEntry = [Int](repeating: 0, count: count)
        for (position, entry) in entries.enumerated() where !entry.isCall { returnEntry[entry.op] = position }

        func lift(_ call: Int) {
            let ret = returnEntry[entries[call].op]
            next[previous[call]] = next[call]
            if next[call] >= 0 { previous[next[call]] = previous[call] }
            next[previous[ret]] = next[ret]
            if next[ret] >= 0 { previous[next[ret]] = previous[ret] }
        }
        func unlift(_ call: Int) {
            let ret = returnEntry[entries[call].op]
            next[previous[ret]] = ret
            if next[ret] >= 0 { previous[next[ret]] = ret }
            next[previous[call]] = call
            if next[call] >= 0 { previous[next[call]] = call }
        }

        // An optional operation may be placed without its effect: a second alternative. Not for an
        // open one: placing it after everything else already has that effect (nothing follows).
        let alternativeCount = ops.map { $0.optional && !$0.isOpen ? 2 : 1 }
        var placed = [UInt64](repeating: 0, count: (count + 63) / 64)
        var memo = MemoTable(words: placed.count)
        // Each placed call, the state before it, and which of its alternatives was taken
        // (0: its effect, 1: an optional operation without effect).
        var stack: [(call: Int, state: Int, alternative: Int)] = []
        var state = history.initial
        var entry = next[head]
        var firstAlternative = 0
        var deepest: Blocked? = nil
        let deadline = timeout.map { DispatchTime.now().uptimeNanoseconds + UInt64($0 * 1e9) }
        var steps = 0
        while next[head] >= 0 {
            steps += 1
            if steps & 0xFFF == 0 {
                if let deadline, DispatchTime.now().uptimeNanoseconds > deadline { return .timedOut }
                if cancellation?.isCancelled == true { return .interrupted }
            }
            let current = entries[entry]
            if current.isCall {
                let op = current.op
                let alternatives = alternativeCount[op]
                var alternative = firstAlternative
                firstAlternative = 0
                var advanced = false
                while alternative < alternatives {
                    let candidate = alternative == 0 ? RegisterModel.step(state, ops[op].effect) : state
                    if let newState = candidate {
                        placed[op >> 6] |= 1 << UInt64(op & 63)
                        if memo.insert(placed, state: newState) {
                            stack.append((entry, state, alternative))
                            state = newState
                            lift(entry)
                            entry = next[head]
                            advanced = true
                            break
                        }
                        placed[op >> 6] &= ~(1 << UInt64(op & 63))
                    }
                    alternative += 1
                }
                if !advanced { entry = next[entry] }
            } else {
                if deepest == nil || stack.count > deepest!.placed.count {
                    var candidates: [Int] = []
                    var scan = next[head]
                    while scan >= 0 && entries[scan].isCall { candidates.append(entries[scan].op); scan = next[scan] }
                    deepest = Blocked(placed: stack.map { entries[$0.call].op }, state: state, stuck: current.op, candidates: candidates)
                }
                guard let (call, previousState, alternative) = stack.popLast() else { return .notLinearizable(deepest!) }
                let op = entries[call].op
                placed[op >> 6] &= ~(1 << UInt64(op & 63))
                state = previousState
                unlift(call)
                // Try the operation's next alternative before moving on to the next call.
                if alternative + 1 < alternativeCount[op] {
                    entry = call
                    firstAlternative = alternative + 1
                } else {
                    entry = next[call]
                }
            }
        }
        return .linearizable
    }
}
