/// Renders a report for people: one line per key, the story under every bad verdict, a tally.
package enum TextReporter {
    package static func render(_ report: Report) -> String {
        var out = ""
        if let shard = report.shard {
            out += "shard \(shard): only the keys of this shard were checked (commitcheck merge joins the shards' JSON reports)\n"
        }
        let width = report.keys.map { $0.keyDescription.count }.max() ?? 0
        for key in report.keys {
            let mark = switch key.verdict {
            case .holds: "ok  "
            case .possible: "RACE"
            case .violated: "FAIL"
            case .unknown: "??  "
            }
            let name = key.keyDescription + String(repeating: " ", count: max(0, width - key.keyDescription.count))
            var line = "\(mark) \(name)  \(key.property.rawValue): \(key.verdict.rawValue)"
            if let engine = key.engine { line += " [\(engine)]" }
            if let expected = key.expected {
                line += " (sub-history at line \(key.subHistoryLine ?? 0): expected \(expected.rawValue), got \(key.verdict.rawValue))"
            }
            out += line + "\n"
            if key.verdict != .holds, let reason = key.reason, key.counterexample == nil || key.verdict == .unknown {
                out += "     \(reason)\n"
            }
            if let example = key.counterexample {
                out += "     \(example.summary)\n"
                for step in example.narrative { out += "       \(step)\n" }
                if example.minimal == false {
                    out += example.minimizationOff == true ? "       (not minimal: minimisation was turned off, --minimize-timeout 0)\n"
                        : "       (not minimal: the minimisation budget ran out)\n"
                }
                if example.minimal == true { out += "       (1-minimal: \(example.lines.count) event(s), lines \(example.lines.map(String.init).joined(separator: ", ")))\n" }
            }
        }
        var tally: [String] = []
        for verdict in [Verdict.violated, .possible, .unknown, .holds] {
            let count = report.keys.filter { $0.verdict == verdict }.count
            if count > 0 { tally.append("\(count) \(verdict.rawValue)") }
        }
        out += "\(report.keys.count) key(s)\(tally.isEmpty ? "" : ": " + tally.joined(separator: ", ")). Verdict: \(report.verdict.rawValue)\n"
        if let path = report.path { out += "\(path)\n" }
        return out
    }
}
