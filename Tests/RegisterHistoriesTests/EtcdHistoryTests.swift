import Foundation
import Testing
@testable import RegisterHistories

/// Porcupine's labelled Jepsen etcd histories, read in place from ../shared/peer-histories.
@Suite struct EtcdHistoryTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/peer-histories/porcupine-etcd")

    static let expected: [(String, Bool)] = {
        guard let text = try? String(contentsOf: directory.appendingPathComponent("EXPECTED.tsv"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t")
            guard fields.count == 2 else { return nil }
            return (String(fields[0]), fields[1] == "linearizable")
        }
    }()

    @Test func allLabelledHistoriesArePresent() {
        #expect(Self.expected.count == 102)
    }

    @Test func everyLabelledHistoryGetsItsVerdict() throws {
        var matched = 0
        for (file, linearizable) in Self.expected {
            let text = try String(contentsOf: Self.directory.appendingPathComponent(file), encoding: .utf8)
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
}
