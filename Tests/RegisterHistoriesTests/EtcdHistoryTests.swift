import Foundation
import Testing
@testable import RegisterHistories

/// Porcupine's labelled Jepsen etcd histories, read in place from ../shared/peer-histories.
@Suite(.enabled(if: PeerData.available, PeerData.skipReason))
struct EtcdHistoryTests {
    @Test func allLabelledHistoriesArePresent() {
        #expect(PeerData.expected.count == 102)
    }

    @Test func everyLabelledHistoryGetsItsVerdict() throws {
        var matched = 0
        for (file, linearizable) in PeerData.expected {
            let text = try String(contentsOf: PeerData.etcdDirectory.appendingPathComponent(file), encoding: .utf8)
            let history = try PorcupineEtcdLog.parse(text)
            let outcome = LinearizabilityChecker(history: history, timeout: 60).check()
            if linearizable {
                #expect(outcome == .linearizable, "\(file)")
                if outcome == .linearizable { matched += 1 }
            } else {
                if case .notLinearizable = outcome { matched += 1 } else { Issue.record("\(file): expected not linearizable, got \(outcome)") }
            }
        }
        #expect(matched == 102)
    }

    /// The empty log among them (etcd_095, unlabelled) is refused, not passed.
    @Test func theEmptyLogIsAnError() throws {
        let text = try String(contentsOf: PeerData.etcdDirectory.appendingPathComponent("etcd_095.log"), encoding: .utf8)
        #expect(throws: EDNError.self) { _ = try PorcupineEtcdLog.parse(text) }
    }

    /// The "1-minimal" label is a promise: on every non-linearizable etcd history, the explanation
    /// cannot be linearized (alone, and with everything else forgotten), and forgetting any one of
    /// its operations can.
    @Test func explanationsAreOneMinimal() throws {
        var checked = 0
        for (file, linearizable) in PeerData.expected where !linearizable {
            let text = try String(contentsOf: PeerData.etcdDirectory.appendingPathComponent(file), encoding: .utf8)
            let history = try PorcupineEtcdLog.parse(text)
            // A budget no loaded machine reaches (a release build needs about 0.1 s per history).
            let explainer = RegisterExplainer(history: history, budget: 600)
            let subset = explainer.minimalSubset()
            #expect(subset.minimal, "\(file)")
            RegisterEngineTests.expectOneMinimal(subset.operations, explainer: explainer, name: file)
            let example = explainer.counterexample(explaining: subset)
            #expect(example.minimal == true && example.summary.contains("\(subset.operations.count) operation(s)"), "\(file)")
            checked += 1
        }
        #expect(checked == 79)
    }
}
