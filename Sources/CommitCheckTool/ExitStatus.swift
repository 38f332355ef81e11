import ArgumentParser
import CommitCheck

/// When a run counts as failed (`--fail-on`): a choice of the command line, so it lives here.
enum FailurePolicy: String, CaseIterable, ExpressibleByArgument {
    /// `violated` and `possible` fail the run (the default).
    case possible
    /// Only `violated` fails the run; `possible` passes.
    case violated

    /// The mildest verdict that fails the run, as the library's reporters take it.
    var threshold: Verdict { self == .possible ? .possible : .violated }
}

/// The process's exit status (specs/verdicts.md, "Exit codes"), named apart from ArgumentParser's `ExitCode`.
enum ExitStatus: Int32 {
    /// Every key holds (or only verdicts the failure policy lets pass).
    case pass = 0
    /// Something is `violated`, or `possible` under the default policy.
    case fail = 1
    /// Bad usage or bad input.
    case badInput = 2
    /// Only `unknown` verdicts stand between the run and a pass.
    case unknown = 3

    /// The status a report ends the run with under `policy`.
    init(_ report: Report, failOn policy: FailurePolicy = .possible) {
        let verdicts = Set(report.keys.map(\.verdict))
        if verdicts.contains(.violated) || (policy == .possible && verdicts.contains(.possible)) {
            self = .fail
        } else if verdicts.contains(.unknown) {
            self = .unknown
        } else {
            self = .pass
        }
    }
}
