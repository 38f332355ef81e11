/// Which procedure produced a report: the streaming path or the whole-history path.
///
/// The two give the same verdicts and counterexamples (specs/scaling.md); they differ in memory,
/// so a report says which one ran and, for the whole-history path, why streaming did not apply.
public struct VerificationPath: Codable, Sendable, Equatable, CustomStringConvertible {
    /// `streaming` or `whole-history`.
    public var name: String
    /// Why this path ran (for `whole-history`: what kept the trace from streaming).
    public var reason: String?
    /// Streaming only: how many windows were closed at a cut and decided on their own.
    public var windows: Int?
    /// Streaming only: groups re-verified on their own events because some key was not `holds`.
    public var reverifiedGroups: Int?

    public init(name: String, reason: String? = nil, windows: Int? = nil, reverifiedGroups: Int? = nil) {
        self.name = name
        self.reason = reason
        self.windows = windows
        self.reverifiedGroups = reverifiedGroups
    }

    public static func wholeHistory(_ reason: String) -> VerificationPath { VerificationPath(name: "whole-history", reason: reason) }

    /// `path: streaming (12 windows)` or `path: whole-history (why)`, the text report's first line.
    public var description: String {
        if name == "streaming" {
            let count = windows ?? 0
            var parts = ["\(count) window\(count == 1 ? "" : "s")"]
            if let reverifiedGroups, reverifiedGroups > 0 { parts.append("\(reverifiedGroups) group\(reverifiedGroups == 1 ? "" : "s") re-verified whole") }
            return "path: streaming (\(parts.joined(separator: ", ")))"
        }
        return "path: \(name)" + (reason.map { " (\($0))" } ?? "")
    }
}

/// How `verify` chooses its path (`--stream`).
package enum StreamMode: String, Sendable, CaseIterable {
    /// Stream a trace that qualifies and is large (``StreamingVerifier/autoThresholdBytes``: held
    /// whole it would take gigabytes), else the whole-history path, which is faster per event.
    case auto
    /// Stream whatever its size when the trace qualifies; say on standard error when it does not.
    case on
    /// Always the whole-history path.
    case off
}
