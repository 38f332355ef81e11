/// The fast path for a component's open reads: choose an explanation for every read, write what
/// it needs as precedences, and if the order stays acyclic, a linear extension is a schedule that
/// explains every read.
///
/// A read explained by a certainly visible write w of its value needs w visible before the read,
/// and every other certainly visible write z either appended before w or visible only after the
/// read (rules 7 and 8): where the order already decides one of those, nothing is added; where it
/// decides neither, one is chosen as an edge. A read explained by the initial value needs every
/// certainly visible write visible after it. Writes that may not take effect are left out (no
/// explanation uses them). Every choice only adds constraints, so an acyclic result proves the
/// reads fit together (`holds`); a cycle proves nothing, and Z3 decides (and finds the clashing
/// reads).
enum GraphReads {
    static func explainsEveryRead(_ problem: OrderProblem) -> Bool {
        guard problem.choices.isEmpty, !problem.reads.isEmpty else { return false }
        let closure = SlotClosure(problem)
        func before(_ a: Int32, _ b: Int32) -> Bool { a != b && closure.precedes(Int(a), Int(b)) }
        var extra: [(Int32, Int32)] = []
        // The unknown initial value is one value per partition: reads that use it must agree.
        var initialValue: [TopicPartition: Int] = [:]
        for read in problem.reads {
            let certain = read.writers.filter { problem.write($0).status == .applied }
            // Prefer a write forced visible before the read, then the latest appended.
            let candidates = certain.filter { problem.write($0).offset == read.value && !before(read.slot, problem.write($0).visibility) }
                .sorted { a, b in
                    let x = problem.write(a), y = problem.write(b)
                    let xb = before(x.visibility, read.slot), yb = before(y.visibility, read.slot)
                    return xb != yb ? xb : problem.positions[Int(x.slot)] > problem.positions[Int(y.slot)]
                }
            if let chosen = candidates.first {
                let writer = problem.write(chosen)
                guard writer.visibility != read.slot else { return false }
                if !before(writer.visibility, read.slot) { extra.append((writer.visibility, read.slot)) }
                for other in certain where other != chosen {
                    let write = problem.write(other)
                    if write.slot == writer.slot || before(write.slot, writer.slot) || before(read.slot, write.visibility) { continue }
                    if before(write.visibility, read.slot) || before(writer.slot, write.slot) {
                        // Visible before the read: it must have been appended before the writer.
                        guard !before(writer.slot, write.slot) || !before(write.visibility, read.slot) else { return false }
                        if before(write.visibility, read.slot) { extra.append((write.slot, writer.slot)) } else { extra.append((read.slot, write.visibility)) }
                    } else {
                        extra.append((read.slot, write.visibility))
                    }
                }
                continue
            }
            // The initial value: nothing certain visible before the read.
            guard !read.certainBefore else { return false }
            if let initial = read.initial {
                guard initial == read.value else { return false }
            } else {
                if let agreed = initialValue[read.partition], agreed != read.value { return false }
                initialValue[read.partition] = read.value
            }
            for other in certain {
                let write = problem.write(other)
                if before(read.slot, write.visibility) { continue }
                guard write.visibility != read.slot, !before(write.visibility, read.slot) else { return false }
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
