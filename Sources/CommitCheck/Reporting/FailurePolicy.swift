/// When a run counts as failed (`--fail-on`).
public enum FailurePolicy: String, Codable, Sendable, CaseIterable {
    /// `violated` and `possible` fail the run (the default).
    case possible
    /// Only `violated` fails the run; `possible` passes.
    case violated
}

/// Process exit codes (DESIGN §5).
public enum ExitCode: Int32, Sendable {
    /// Every key holds (or only verdicts the failure policy lets pass).
    case pass = 0
    /// Something is `violated`, or `possible` under the default policy.
    case fail = 1
    /// Bad usage or bad input.
    case badInput = 2
    /// Only `unknown` verdicts stand between the run and a pass.
    case unknown = 3
}
