/// The formats `verify --format` writes.
public enum ReportFormat: String, CaseIterable, Sendable {
    /// For people: one line per key, the story under bad verdicts.
    case text
    /// `commitcheck-report/1`, for tools.
    case json
    /// JUnit XML: one testsuite per trace, one testcase per key and property.
    case junit
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`), one per bad key.
    case github
    /// SARIF 2.1.0, for code-scanning dashboards.
    case sarif

    /// Renders a report; `failOn` decides whether `possible` counts as a failure. Throws when a
    /// JSON-based format cannot encode the report (never silently an empty document).
    public func render(_ report: Report, failOn threshold: Verdict = .possible) throws -> String {
        switch self {
        case .text: TextReporter.render(report)
        case .json: try JSONReporter.render(report)
        case .junit: JUnitReporter.render(report, failOn: threshold)
        case .github: GitHubAnnotationsReporter.render(report, failOn: threshold)
        case .sarif: try SARIFReporter.render(report, failOn: threshold)
        }
    }
}

extension KeyResult {
    /// Whether this result fails the run when `threshold` (`possible` or `violated`) is the mildest verdict that fails.
    func fails(_ threshold: Verdict) -> Bool {
        verdict == .violated || (verdict == .possible && threshold == .possible)
    }

    /// The counterexample as plain text (summary, then the story).
    var evidenceText: String {
        guard let example = counterexample else { return reason ?? verdict.rawValue }
        return ([example.summary] + example.narrative).joined(separator: "\n")
    }

    /// Where a bad key's evidence starts: the file and line of its first recorded event. Taken from
    /// the typed evidence, so with several trace files each key points into its own file; without
    /// typed evidence, the first evidence line of the only trace.
    func firstLocation(traces: [String]) -> (file: String, line: Int)? {
        if let first = counterexample?.evidence?.events.first(where: { $0.file != nil && $0.line != nil }) {
            return (first.file!, first.line!)
        }
        if traces.count == 1, let line = counterexample?.lines.first { return (traces[0], line) }
        return nil
    }

    /// A test-case name such as `billing orders/0 monotonic`.
    var caseName: String { "\(keyDescription) \(property.rawValue)" }
}
