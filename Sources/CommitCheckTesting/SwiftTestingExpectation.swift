import CommitCheck
import Testing

/// Fails the current Swift Testing test for each key of the traces whose committed offsets can go
/// backwards (or, with `failOn: .violated`, did), with the counterexample as the issue's comment.
///
///     @Test func consumerCommitsInOrder() async throws {
///         try await runConsumerRecordingTo("build/trace.jsonl")
///         expectCommittedOffsetsNeverGoBackwards("build/trace.jsonl")
///     }
public func expectCommittedOffsetsNeverGoBackwards(
    _ paths: String..., failOn threshold: Verdict = .possible, options: VerifyOptions = VerifyOptions(),
    sourceLocation: SourceLocation = #_sourceLocation
) {
    for message in TraceVerdicts.failures(in: paths, failOn: threshold, options: options) {
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
    }
}
