import CommitCheck
import XCTest

/// Fails the current XCTest test for each key of the traces whose committed offsets can go
/// backwards (or, with `failOn: .violated`, did), with the counterexample as the message.
public func XCTAssertCommittedOffsetsNeverGoBackwards(
    _ paths: String..., failOn threshold: Verdict = .possible, options: VerifyOptions = VerifyOptions(),
    file: StaticString = #filePath, line: UInt = #line
) {
    for message in TraceVerdicts.failures(in: paths, failOn: threshold, options: options) {
        XCTFail(message, file: file, line: line)
    }
}
