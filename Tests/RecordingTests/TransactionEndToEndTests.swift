import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `../shared/repro/eos_commit_abort.py` (confluent-kafka transactions) through `commitcheck proxy`
/// against Tansu: the trace holds the four staged commits, the four transaction ends and their
/// answers, and the reads, each as the client saw it. The lines are read with JSONSerialization:
/// checker verdicts for transactions are not asserted here (the checker learns them separately).
@Suite(.serialized)
struct TransactionEndToEndTests {
    /// The repro script, in the shared folder beside the clone (absent from a user's clone).
    static let script = Package.root.deletingLastPathComponent().appendingPathComponent("shared/repro/eos_commit_abort.py")
    static var available: Bool { FileManager.default.fileExists(atPath: script.path) }
    static var skipReason: Comment {
        Comment(rawValue: "needs ../shared/repro/eos_commit_abort.py (looked at \(script.standardized.path); not in a user's clone)")
    }

    @Test(.enabled(if: available, skipReason))
    func confluentKafkaTransactionsAreRecordedWhole() throws {
        let python = try Package.python()
        let proxyPort = try Package.freePort()
        let broker = try TansuBroker(python: python, advertised: "127.0.0.1:\(proxyPort)")
        let trace = try Package.temporaryFile("eos.jsonl")
        let proxy = try ChildProcess(Package.commitcheck, ["proxy", "--listen", "127.0.0.1:\(proxyPort)", "--upstream", broker.bootstrap, "--out", trace])
        defer { proxy.stop() }
        try proxy.waitForError(timeout: 30) { $0.contains("listening on") }
        let client = try ChildProcess.run(python, [Self.script.path, "127.0.0.1:\(proxyPort)", "eos-e2e"], timeout: 180)
        #expect(client.status == 0, "\(client.out) \(client.err)")
        proxy.signal(SIGTERM)
        #expect(try proxy.wait(timeout: 30) == 0)
        withExtendedLifetime(broker) {}

        // What the client printed: the committed offset read back after each transaction, then a fresh consumer's.
        let printed = client.out.split(separator: "\n").compactMap { line -> Int? in
            guard line.contains("committed") else { return nil }
            return line.split(separator: " ").last.flatMap { Int($0) }
        }
        #expect(printed == [3, 3, 5, 5, 5], "\(client.out)")

        let lines = try TransactionRecordingTests.lines(trace)
        func events(_ kind: String) -> [[String: Any]] { lines.filter { $0["ev"] as? String == kind } }
        // Four staged commits, each in its own transaction of the one producer, acked ok.
        let sends = events("send")
        #expect(sends.map { TransactionRecordingTests.offsets($0) } == [["tin/0": 3], ["tin/0": 10], ["tin/0": 5], ["tin/0": 2]], "\(lines)")
        let txns = sends.compactMap { $0["txn"] as? String }
        #expect(txns.count == 4 && Set(txns).count == 4, "\(txns)")
        #expect(txns.allSatisfy { $0.hasPrefix("eos-eos-e2e@") }, "the transactional id leads the transaction id: \(txns)")
        #expect(txns.enumerated().allSatisfy { $1.hasSuffix("#\($0 + 1)") }, "one producer epoch, transactions numbered in order: \(txns)")
        #expect(sends.allSatisfy { $0["group"] as? String == "eos-e2e" && $0["client"] as? String != nil && $0["conn"] as? String != nil })
        let acks = events("ack")
        #expect(acks.map { $0["commit"] as? String } == sends.map { $0["commit"] as? String })
        #expect(acks.allSatisfy { $0["status"] as? String == "ok" })
        // Their ends: commit, abort, commit, abort, each answered ok.
        let ends = events("end")
        #expect(ends.map { $0["txn"] as? String } == txns)
        #expect(ends.map { $0["result"] as? String } == ["commit", "abort", "commit", "abort"])
        let ended = events("ended")
        #expect(ended.map { $0["txn"] as? String } == txns)
        #expect(ended.allSatisfy { $0["status"] as? String == "ok" && $0["error"] == nil })
        // Tansu accepts each next transaction's AddPartitionsToTxn: the three earlier ones are complete.
        #expect(events("completed").map { $0["txn"] as? String } == Array(txns.prefix(3)))
        // Every end precedes its transaction's completion, and each staging precedes its end.
        for txn in txns {
            let send = lines.firstIndex { $0["ev"] as? String == "send" && $0["txn"] as? String == txn }
            let end = lines.firstIndex { $0["ev"] as? String == "end" && $0["txn"] as? String == txn }
            let done = lines.firstIndex { $0["ev"] as? String == "completed" && $0["txn"] as? String == txn }
            #expect(send! < end!)
            if let done { #expect(end! < done) }
        }
        // The reads: every committed() the script printed, with the value the broker returned, after
        // the one read of the consumer's assign() (librdkafka makes it in the background: before the
        // first transaction it reads -1, after it 3).
        let fetched = events("fetched").compactMap { TransactionRecordingTests.offsets($0)["tin/0"] }
        #expect(fetched.count == printed.count + 1 && Array(fetched.suffix(printed.count)) == printed, "\(fetched)")
        #expect([-1, 3].contains(fetched.first ?? 0), "\(fetched)")
        #expect(events("fetch").count == fetched.count)
        #expect(!proxy.err.contains("without recording"), "nothing was forwarded unrecorded: \(proxy.err)")
    }
}
