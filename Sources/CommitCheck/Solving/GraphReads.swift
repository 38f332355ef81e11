/// The fast path for a component's open reads: choose an explanation for every read, write what
/// it needs as precedences, and if the order stays acyclic, a linear extension is a schedule that
/// explains every read.
///
/// A read explained by a certainly visible write w of its value (the latest appended one that may
/// be visible by then) needs w visible before the read,
/// and every other certainly visible write z either appended before w or visible only after the
/// read (rules 7 and 8): where the order already decides one of those, nothing is added; where it
/// decides neither, one is chosen as an edge. A read explained by the initial value needs every
/// certainly visible write visible after it. Writes that may not take effect are left out (no
/// explanation uses them). Every choice only adds constraints, so an acyclic result proves the
/// reads fit together (`holds`); a cycle proves nothing, and Z3 decides (and finds the clashing
/// reads).
enum GraphReads {
    /// Ends of added precedences beyond which the fast path declines (the pairs grow with the square).
    static let endLimit = 2_000

    static func explainsEveryRead(_ problem: OrderProblem, order: HappensBefore) -> Bool {
        guard problem.choices.isEmpty, !problem.reads.isEmpty else { return false }
        func before(_ a: Int32, _ b: Int32) -> Bool { a != b && order.precedes(problem.points[Int(a)], problem.points[Int(b)]) }
        var extra: [(Int32, Int32)] = []
        // The unknown initial value is one value per partition: reads that use it must agree.
        var initialValue: [TopicPartition: Int] = [:]
        for read in problem.reads {
            let certain = read.writers.filter { problem.write($0).status == .applied }
            // Prefer the latest appended: the reads of one fetch then agree on one point of the order.
            let candidates = certain.filter { problem.write($0).offset == read.value && !before(read.slot, problem.write($0).visibility) }
                .sorted { problem.positions[Int(problem.write($0).slot)] > problem.positions[Int(problem.write($1).slot)] }
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
        return acyclic(extra, before: before)
    }

    /// Whether the order plus `extra` has no cycle. A cycle must pass through extra edges, and
    /// between two of them it runs along the order: so it is enough to look at the extra edges'
    /// ends, joined where the order puts one at or before another.
    static func acyclic(_ extra: [(Int32, Int32)], before: (Int32, Int32) -> Bool) -> Bool {
        let ends = Array(Set(extra.flatMap { [$0.0, $0.1] })).sorted()
        // Pairs of ends are asked of the order: past this many ends that costs more than Z3 does.
        guard ends.count <= endLimit else { return false }
        let index = Dictionary(uniqueKeysWithValues: ends.enumerated().map { ($1, $0) })
        var successors = [[Int]](repeating: [], count: ends.count)
        for (from, to) in extra { successors[index[from]!].append(index[to]!) }
        for a in ends.indices {
            for b in ends.indices where a != b && before(ends[a], ends[b]) { successors[a].append(b) }
        }
        var indegree = [Int](repeating: 0, count: ends.count)
        for targets in successors { for target in targets { indegree[target] += 1 } }
        var ready = ends.indices.filter { indegree[$0] == 0 }
        var seen = 0
        while let node = ready.popLast() {
            seen += 1
            for next in successors[node] {
                indegree[next] -= 1
                if indegree[next] == 0 { ready.append(next) }
            }
        }
        return seen == ends.count
    }
}
