/// Renders GitHub Actions workflow commands that annotate the trace file of the first event of the
/// evidence, at its line: `::error` for failing keys, `::warning` for `possible` under `--fail-on violated` and
/// for `unknown`, and a closing `::notice` with the tally.
package enum GitHubAnnotationsReporter {
    package static func render(_ report: Report, failOn threshold: Verdict = .possible) -> String {
        var out = ""
        for key in report.keys where key.verdict != .holds {
            let level = key.fails(threshold) ? "error" : "warning"
            // Each key points into the file its evidence starts in, not the first trace.
            let location = key.firstLocation(traces: report.traces)
            var properties = ["file=\(escapeProperty(location?.file ?? report.traces.first ?? "trace"))"]
            if let line = location?.line { properties.append("line=\(line)") }
            properties.append("title=\(escapeProperty("commitcheck: \(key.caseName) \(key.verdict.rawValue)"))")
            out += "::\(level) \(properties.joined(separator: ","))::\(escapeData(key.evidenceText))\n"
        }
        let tally = [Verdict.violated, .possible, .unknown, .holds].compactMap { verdict -> String? in
            let count = report.keys.filter { $0.verdict == verdict }.count
            return count > 0 ? "\(count) \(verdict.rawValue)" : nil
        }
        out += "::notice title=commitcheck::\(escapeData("\(report.keys.count) key(s): \(tally.joined(separator: ", ")). Verdict: \(report.verdict.rawValue)"))\n"
        return out
    }

    /// Escaping of a workflow command's message.
    static func escapeData(_ text: String) -> String {
        text.replacingAll("%", "%25").replacingAll("\r", "%0D").replacingAll("\n", "%0A")
    }

    /// Escaping of a workflow command's property values.
    static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingAll(":", "%3A").replacingAll(",", "%2C")
    }
}

extension String {
    /// Replaces every occurrence of a scalar (scalars, not characters: `\r\n` is one character).
    func replacingAll(_ target: Unicode.Scalar, _ replacement: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            if scalar == target { out.append(contentsOf: replacement.unicodeScalars) } else { out.append(scalar) }
        }
        return String(out)
    }
}
