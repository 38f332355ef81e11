import Foundation
import Testing

/// A producer fenced mid-transaction (Tests/EndToEnd/eos_fenced.py): it stages 7, a second producer
/// with the same transactional id calls init_transactions, the first then tries to commit, and the
/// second commits 9. Apache Kafka answers the fenced EndTxn with PRODUCER_FENCED (the trace would say
/// `ended fail`: aborted). Tansu 0.6.0 closes the connection instead, librdkafka retries and gives
/// up with _TIMED_OUT, so the trace says `ended unknown` and the first transaction *may* have
/// committed (specs/trace-format.md's outcome rule). That is the honest reading, and it still
/// holds: 7 is below the 9 that follows, the read between them saw no committed offset, and the
/// coordinator's acceptance of the new epoch's transaction (`completed`) comes before 9 is staged.
@Suite(.serialized)
struct FencedTransactionEndToEndTests {
    @Test func aFencedTransactionNeverBecomesVisibleAndTheRunHolds() throws {
        let run = try ProxiedScriptRun("eos_fenced.py", ["eos-fence"])
        #expect(run.client.status == 0, "\(run.client.out) \(run.client.err)")
        #expect(run.proxyStatus == 0, "\(run.proxyErr)")
        // The first commit fails (Kafka: PRODUCER_FENCED; Tansu 0.6.0: the client times out).
        #expect(run.client.out.contains("first commit: _") && !run.client.out.contains("first commit: ok"), "\(run.client.out)")
        #expect(run.client.out.contains("after fence -1001"), "the fenced offset 7 was never visible: \(run.client.out)")
        #expect(run.finalOffsets == ["tin3/0": 9], "\(run.client.out)")

        let lines = try run.lines()
        let sends = lines.filter { $0["ev"] as? String == "send" }
        #expect(sends.map { TransactionRecordingTests.offsets($0) } == [["tin3/0": 7], ["tin3/0": 9]], "\(sends)")
        let fenced = try #require(sends.first?["txn"] as? String)
        let second = try #require(sends.last?["txn"] as? String)
        #expect(fenced.hasPrefix("fence-eos-fence@") && second.hasPrefix("fence-eos-fence@") && fenced != second)
        // What the wire shows of the fenced EndTxn: never `ok`; `fail` (Kafka) or `unknown` (Tansu).
        let answers = lines.filter { $0["ev"] as? String == "ended" && $0["txn"] as? String == fenced }.compactMap { $0["status"] as? String }
        #expect(!answers.isEmpty && !answers.contains("ok"), "\(answers)")
        #expect(lines.contains { $0["ev"] as? String == "completed" && $0["txn"] as? String == fenced }, "\(lines)")

        let verdicts = try run.verify()
        #expect(verdicts.status == 0, "\(verdicts.out) \(verdicts.err)")
        #expect(ProxiedScriptRun.verdict(verdicts.out, key: "tin3/0", property: "monotonic") == "holds", "\(verdicts.out)")
        #expect(ProxiedScriptRun.verdict(verdicts.out, key: "tin3/0", property: "linearizable") == "holds", "\(verdicts.out)")
    }
}
