import CommitCheck
import CommitCheckTestSupport
import CommitCheckTesting
import Foundation
import Testing
import XCTest

private let histories = PackagePaths.histories

@Suite struct SwiftTestingExpectationTests {
    @Test func safeTraceRecordsNothing() {
        expectCommittedOffsetsNeverGoBackwards(histories.appendingPathComponent("sarama-commit-mutex.jsonl").path)
    }

    @Test func regressingTraceFailsTheTestWithTheStory() {
        withKnownIssue {
            expectCommittedOffsetsNeverGoBackwards(histories.appendingPathComponent("sarama-2940-seed.jsonl").path)
        } matching: { issue in
            issue.comments.contains { $0.rawValue.contains("12 -> 11") && $0.rawValue.contains("line 9") }
        }
    }

    @Test func policyDecidesWhetherPossibleFails() {
        let race = histories.appendingPathComponent("sarama-latent-race.jsonl").path
        #expect(TraceVerdicts.failures(in: [race]).count == 1)
        #expect(TraceVerdicts.failures(in: [race], failOn: .violated).isEmpty)
        #expect(TraceVerdicts.failures(in: ["/nonexistent.jsonl"]).first?.contains("cannot check") == true)
    }
}

final class XCTestAssertionTests: XCTestCase {
    func testSafeTracePasses() {
        XCTAssertCommittedOffsetsNeverGoBackwards(histories.appendingPathComponent("sarama-broker-lock.jsonl").path)
    }
}
