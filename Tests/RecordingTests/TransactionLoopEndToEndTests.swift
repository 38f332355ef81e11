import Foundation
import Testing

/// A confluent-kafka consume-transform-produce loop (Tests/EndToEnd/eos_loop.py) through the proxy
/// against Tansu: every 4th transaction aborts and the consumer seeks back, so the staged offsets
/// of a partition go up and, after an abort, back down (the aborted offset is never visible)
/// and up again; only committed transactions' offsets become visible, so both properties hold, and
/// the last committed transaction's staging of each partition is what the broker reports.
@Suite(.serialized)
struct TransactionLoopEndToEndTests {
    @Test func loopWithAbortsHoldsAndEndsAtTheBrokersOffsets() throws {
        let run = try ProxiedScriptRun("eos_loop.py", ["eos-loop"])
        #expect(run.client.status == 0, "\(run.client.out) \(run.client.err)")
        #expect(run.proxyStatus == 0, "\(run.proxyErr)")
        #expect(run.client.out.contains(" abort "), "some transactions aborted: \(run.client.out)")
        let broker = run.finalOffsets
        #expect(broker == ["lin/0": 12, "lin/1": 12], "\(run.client.out)")

        let lines = try run.lines()
        // A transaction committed when an `end` asking to commit got `ok` (specs/trace-format.md).
        let ends = lines.filter { $0["ev"] as? String == "end" }
        let answered = lines.filter { $0["ev"] as? String == "ended" && $0["status"] as? String == "ok" }.compactMap { $0["txn"] as? String }
        let committed = Set(ends.filter { $0["result"] as? String == "commit" }.compactMap { $0["txn"] as? String }).intersection(answered)
        let aborted = Set(ends.filter { $0["result"] as? String == "abort" }.compactMap { $0["txn"] as? String })
        #expect(!aborted.isEmpty && !committed.isEmpty && aborted.isDisjoint(with: committed), "\(ends)")
        // The last visible value of each partition: the last staging of a committed transaction.
        var lastVisible: [String: Int] = [:]
        for send in lines where send["ev"] as? String == "send" {
            #expect(send["txn"] != nil, "the loop commits only in transactions: \(send)")
            guard let txn = send["txn"] as? String, committed.contains(txn) else { continue }
            lastVisible.merge(TransactionRecordingTests.offsets(send)) { $1 }
        }
        #expect(lastVisible == broker, "trace \(lastVisible) vs broker \(broker)")

        let verdicts = try run.verify()
        #expect(verdicts.status == 0, "\(verdicts.out) \(verdicts.err)")
        for key in ["lin/0", "lin/1"] {
            #expect(ProxiedScriptRun.verdict(verdicts.out, key: key, property: "monotonic") == "holds", "\(verdicts.out)")
            #expect(ProxiedScriptRun.verdict(verdicts.out, key: key, property: "linearizable") == "holds", "\(verdicts.out)")
        }
        #expect(!run.proxyErr.contains("without recording"), "\(run.proxyErr)")
    }
}
