/// Renders JUnit XML in the shape Jenkins, GitLab and GitHub test reporters read.
///
/// One `<testsuite>` per trace (several files verified together are one trace, named by all of
/// them), one `<testcase>` per key and property. `violated` is a `<failure>` carrying the
/// counterexample; `possible` is a failure too unless `--fail-on violated`, when it passes with the
/// story in `<system-out>`; `unknown` is an `<error>` (the run could not decide, which is not a pass).
package enum JUnitReporter {
    package static func render(_ report: Report, failOn threshold: Verdict = .possible) -> String {
        let failures = report.keys.filter { $0.fails(threshold) }.count
        let errors = report.keys.filter { $0.verdict == .unknown }.count
        let time = report.keys.reduce(0) { $0 + ($1.seconds ?? 0) }
        let suiteName = report.traces.joined(separator: " ")
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"commitcheck\" tests=\"\(report.keys.count)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\"\(seconds(time))\">\n"
        xml += "  <testsuite name=\"\(escape(suiteName))\" tests=\"\(report.keys.count)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"0\" time=\"\(seconds(time))\">\n"
        for key in report.keys {
            let classname = "commitcheck.\(key.property.rawValue)"
            xml += "    <testcase classname=\"\(escape(classname))\" name=\"\(escape(key.caseName))\" time=\"\(seconds(key.seconds ?? 0))\">\n"
            if key.fails(threshold) {
                let message = "\(key.verdict.rawValue): \(key.counterexample?.summary ?? key.reason ?? "")"
                xml += "      <failure message=\"\(escape(message))\" type=\"\(key.verdict.rawValue)\">\(escape(key.evidenceText))</failure>\n"
            } else if key.verdict == .unknown {
                xml += "      <error message=\"\(escape(key.reason ?? "unknown"))\" type=\"unknown\"/>\n"
            } else if key.verdict == .possible {
                xml += "      <system-out>\(escape("possible (passes under --fail-on violated)\n" + key.evidenceText))</system-out>\n"
            }
            xml += "    </testcase>\n"
        }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }

    static func seconds(_ value: Double) -> String {
        let milliseconds = Int((value * 1000).rounded())
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// XML text and attribute escaping (line breaks kept as character references in attributes).
    static func escape(_ text: String) -> String {
        HTMLEscaping.escape(text, whitespace: .characterReferences)
    }
}
