import CommitCheck

/// Verdict counts, regression sizes and commit overlap of recorded traces.
public enum TraceAnalysis {
    public struct Summary: Sendable {
        public var name: String
        public var verdicts: [String: Int] = [:]
        /// Drops (from -> to) of the regressions the counterexamples show.
        public var regressionSizes: [Int] = []
        /// Neighbouring commits of a key (in trace order) whose apply order the history leaves open.
        public var openPairs = 0
        public var pairs = 0
    }

    public static func analyze(path: String) throws -> Summary {
        let history = try TraceReader().read(paths: [path])
        var options = VerifyOptions()
        options.minimizeTimeout = 2
        let prepared = try OrderedHistory(history)
        let report = try Verifier(options: options).verify(prepared)
        var summary = Summary(name: path)
        for key in report.keys {
            summary.verdicts["\(key.property.rawValue) \(key.verdict.rawValue)", default: 0] += 1
            if let from = key.counterexample?.fromOffset, let to = key.counterexample?.toOffset { summary.regressionSizes.append(from - to) }
        }
        let order = prepared.order
        for (key, members) in prepared.members {
            let problem = OrderProblem(key: key, history: history, graph: prepared.graph, commits: members.commits, reads: [], projecting: false)
            let slots = problem.commits.indices.sorted { problem.positions[$0] < problem.positions[$1] }
            for (a, b) in zip(slots, slots.dropFirst()) {
                summary.pairs += 1
                if !order.precedes(problem.points[a], problem.points[b]) && !order.precedes(problem.points[b], problem.points[a]) {
                    summary.openPairs += 1
                }
            }
        }
        return summary
    }

    public static func render(_ summaries: [Summary]) -> String {
        var total = Summary(name: "total")
        var out = ""
        for summary in summaries + [total] {
            let current = summary.name == "total" ? total : summary
            let verdicts = current.verdicts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            let sizes = current.regressionSizes.isEmpty ? "none"
                : "\(current.regressionSizes.count), mean \(String(format: "%.1f", Double(current.regressionSizes.reduce(0, +)) / Double(current.regressionSizes.count))), max \(current.regressionSizes.max()!)"
            let overlap = current.pairs == 0 ? "n/a" : String(format: "%.0f%% of %d neighbouring commit pairs open", 100 * Double(current.openPairs) / Double(current.pairs), current.pairs)
            out += "\(current.name)\n  keys: \(verdicts.isEmpty ? "none" : verdicts)\n  regressions: \(sizes)\n  overlap: \(overlap)\n"
            if summary.name != "total" {
                for (verdict, count) in summary.verdicts { total.verdicts[verdict, default: 0] += count }
                total.regressionSizes += summary.regressionSizes
                total.openPairs += summary.openPairs
                total.pairs += summary.pairs
            }
        }
        return out
    }
}
