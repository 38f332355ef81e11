/// The fast path for a component's open reads: when every read has one possible explanation, the
/// reads are a set of extra precedences, and they fit together iff the order stays acyclic.
///
/// A read whose value only one certainly visible write gives (and not the initial value) needs that
/// write visible before the read, and every certainly visible write forced to be appended after it
/// visible only after the read (rules 7 and 8); writes that may not take effect can all be left out
/// (no read needs them). Those are plain edges. If the problem's order plus these edges has no
/// cycle, a linear extension is a schedule that explains every read: `holds`. Anything else (two
/// possible explanations, an order left open, a FIFO choice, a cycle) goes to Z3, which also finds
/// the clashing reads.
enum GraphReads {
    static func explainsEveryRead(_ problem: OrderProblem) -> Bool {
        guard problem.choices.isEmpty, !problem.reads.isEmpty else { return false }
        let closure = SlotClosure(problem)
        var extra: [(Int32, Int32)] = []
        for read in problem.reads {
            let candidates = read.writers.filter { problem.write($0).offset == read.value }
            let initialPossible = !read.certainBefore && (read.initial == nil || read.initial == read.value)
            guard candidates.count == 1, !initialPossible else { return false }
            let writer = problem.write(candidates[0])
            guard writer.status == .applied, writer.visibility != read.slot else { return false }
            extra.append((writer.visibility, read.slot))
            for other in read.writers where other != candidates[0] {
                let write = problem.write(other)
                guard write.status == .applied else { continue }
                if write.slot == writer.slot || closure.precedes(Int(write.slot), Int(writer.slot)) { continue }
                guard closure.precedes(Int(writer.slot), Int(write.slot)), write.visibility != read.slot else { return false }
                extra.append((read.slot, write.visibility))
            }
        }
        return acyclic(slots: problem.points.count, problem.edges + extra)
    }

    static func acyclic(slots: Int, _ edges: [(Int32, Int32)]) -> Bool {
        var successors = [[Int32]](repeating: [], count: slots)
        var indegree = [Int](repeating: 0, count: slots)
        for (from, to) in edges {
            successors[Int(from)].append(to)
            indegree[Int(to)] += 1
        }
        var ready = (0..<slots).filter { indegree[$0] == 0 }
        var seen = 0
        while let slot = ready.popLast() {
            seen += 1
            for next in successors[slot] {
                indegree[Int(next)] -= 1
                if indegree[Int(next)] == 0 { ready.append(Int(next)) }
            }
        }
        return seen == slots
    }
}
