import Foundation
import Testing

/// Auto-commit left on in a transactional consumer (Tests/EndToEnd/eos_autocommit.py): plain
/// OffsetCommits of the consumer's position mixed with TxnOffsetCommits.
///
/// The verdict the wire supports is `monotonic: violated`: while the 2nd transaction is open the
/// consumer auto-commits its position (a plain commit, acked), the transaction aborts and the
/// consumer seeks back, and the 3rd transaction stages a lower position and commits. Its staging is
/// appended after the plain commit, so it wins when the transaction commits (Kafka's rule, and the
/// checker's: specs/system-model.md), and every schedule the wire allows puts the lower value
/// after the higher one: the offset really went back at the broker. The broker's final offset is
/// the last transaction's, as the script reads back.
@Suite(.serialized)
struct AutoCommitInTransactionEndToEndTests {
    @Test func autoCommitBeforeAnAbortMakesARealRegression() throws {
        let run = try ProxiedScriptRun("eos_autocommit.py", ["eos-auto"])
        #expect(run.client.status == 0, "\(run.client.out) \(run.client.err)")
        #expect(run.proxyStatus == 0, "\(run.proxyErr)")
        #expect(run.finalOffsets == ["ain/0": 12], "\(run.client.out)")

        let lines = try run.lines()
        let sends = lines.filter { $0["ev"] as? String == "send" }
        let plain = sends.filter { $0["txn"] == nil }.compactMap { TransactionRecordingTests.offsets($0)["ain/0"] }
        let staged = sends.filter { $0["txn"] != nil }.compactMap { TransactionRecordingTests.offsets($0)["ain/0"] }
        #expect(!plain.isEmpty && !staged.isEmpty, "both kinds of commit are on the wire: \(sends)")
        // A plain commit higher than a staging that comes after it (the position after the seek back).
        let mixed = sends.enumerated().contains { index, send in
            guard send["txn"] == nil, let high = TransactionRecordingTests.offsets(send)["ain/0"] else { return false }
            return sends[(index + 1)...].contains { $0["txn"] != nil && (TransactionRecordingTests.offsets($0)["ain/0"] ?? .max) < high }
        }
        #expect(mixed, "\(sends)")

        let verdicts = try run.verify()
        #expect(verdicts.status == 1, "\(verdicts.out) \(verdicts.err)")
        #expect(ProxiedScriptRun.verdict(verdicts.out, key: "ain/0", property: "monotonic") == "violated", "\(verdicts.out)")
        #expect(ProxiedScriptRun.verdict(verdicts.out, key: "ain/0", property: "linearizable") == "holds", "\(verdicts.out)")
    }
}
