import CommitCheck

/// What a test needs from `verify`: one failure message per key that fails, with its story.
///
/// Shared by the Swift Testing and XCTest entry points; records nothing itself.
public enum TraceVerdicts {
    /// Verifies trace files (one history; for example a recorder's files, one per process) and
    /// returns a message for each key that fails when `threshold` (`possible`, the default, or
    /// `violated`) is the mildest verdict that fails, or for input that cannot be checked.
    public static func failures(in paths: [String], failOn threshold: Verdict = .possible,
                                options: VerifyOptions = VerifyOptions()) -> [String] {
        let report: Report
        do {
            report = try Verifier(options: options).verify(paths: paths)
        } catch {
            return ["commitcheck cannot check the trace: \(error)"]
        }
        var messages: [String] = []
        for key in report.keys {
            let fails = key.verdict == .violated || (key.verdict == .possible && threshold == .possible) || key.verdict == .unknown
            guard fails else { continue }
            var text = "commitcheck: \(key.keyDescription) \(key.property.rawValue) is \(key.verdict.rawValue)"
            if let example = key.counterexample {
                text += "\n" + ([example.summary] + example.narrative).joined(separator: "\n")
            } else if let reason = key.reason {
                text += ": \(reason)"
            }
            messages.append(text)
        }
        return messages
    }
}
