import CommitRecorder
import Foundation
import Testing

/// The lines `CommitRecorder` writes for transactions, resets and client ids, read back as plain
/// JSON: the checker's decoder takes these fields once the trace-format change lands, so these
/// tests check the lines themselves, field by field, and not a verdict.
@Suite struct TransactionAndResetLineTests {
    /// Every line of the file after the `meta` line, decoded.
    static func lines(_ path: String) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let rows = text.split(separator: "\n").map(String.init)
        #expect(rows.first?.contains(#""ev":"meta""#) == true)
        return try rows.dropFirst().map { row in
            try #require(try JSONSerialization.jsonObject(with: Data(row.utf8)) as? [String: Any], "not an object: \(row)")
        }
    }

    @Test func aCommittedTransactionIsAStagedBuildSendAckThenEndAndEnded() throws {
        let path = CommitRecorderTests.temporaryPath("txn.jsonl")
        let recorder = try CommitRecorder(path: path, proc: "eos-1")
        let partition = CommitRecorder.Partition("in", 0)
        let txn = recorder.nextTransactionID(transactionalID: "eos-app")
        let staged = recorder.build(group: "g", offsets: [partition: 3], txn: txn)
        recorder.send(commit: staged, conn: "coordinator", client: "rdkafka-1")
        recorder.ack(commit: staged, status: .ok)
        recorder.end(txn: txn, result: .commit)
        recorder.ended(txn: txn, status: .ok)
        recorder.completed(txn: txn)
        try recorder.close()

        let events = try Self.lines(path)
        #expect(events.map { $0["ev"] as? String } == ["build", "send", "ack", "end", "ended", "completed"])
        #expect(txn.hasPrefix("eos-app@eos-1#"))
        #expect(events[0]["txn"] as? String == txn)
        #expect(events[0]["commit"] as? String == staged)
        #expect((events[0]["offsets"] as? [String: Any])?["in/0"] as? Int == 3)
        #expect(events[0]["reset"] == nil, "a transactional commit is no reset")
        #expect(events[1]["txn"] == nil, "the build carries txn; the send of a built commit need not repeat it")
        #expect(events[1]["client"] as? String == "rdkafka-1")
        #expect(events[1]["conn"] as? String == "coordinator")
        #expect(events[3]["txn"] as? String == txn && events[3]["result"] as? String == "commit")
        #expect(events[4]["txn"] as? String == txn && events[4]["status"] as? String == "ok")
        #expect(events[4]["error"] == nil)
        #expect(events[5]["txn"] as? String == txn && events[5].count == 5, "completed: ev, proc, thread, ts, txn")
        for event in events {
            #expect(event["proc"] as? String == "eos-1")
            #expect(event["thread"] is String)
            #expect(event["ts"] is Int)
        }
        let stamps = events.compactMap { $0["ts"] as? Int }
        #expect(zip(stamps, stamps.dropFirst()).allSatisfy { $0 < $1 }, "one clock, rising in file order")
    }

    @Test func aFencedCommitIsAFailedEndedWithItsErrorAndARetryIsASecondEnd() throws {
        let path = CommitRecorderTests.temporaryPath("fenced.jsonl")
        let recorder = try CommitRecorder(path: path, proc: "p")
        let txn = recorder.nextTransactionID(transactionalID: "t")
        let next = recorder.nextTransactionID(transactionalID: "t")
        #expect(txn != next, "every transaction gets its own id")
        recorder.end(txn: txn, result: .commit, thread: "T")
        recorder.ended(txn: txn, status: .unknown, error: "REQUEST_TIMED_OUT", thread: "T")
        recorder.end(txn: txn, result: .commit, thread: "T")
        recorder.ended(txn: txn, status: .fail, error: "PRODUCER_FENCED", thread: "T")
        recorder.end(txn: next, result: .abort, thread: "T")
        try recorder.close()
        let events = try Self.lines(path)
        let summary = events.map { [$0["ev"], $0["txn"], $0["result"] ?? $0["status"], $0["error"]].compactMap { $0 as? String }.joined(separator: " ") }
        #expect(summary == [
            "end \(txn) commit", "ended \(txn) unknown REQUEST_TIMED_OUT",
            "end \(txn) commit", "ended \(txn) fail PRODUCER_FENCED",
            "end \(next) abort",
        ])
        #expect(events.allSatisfy { $0["thread"] as? String == "T" })
    }

    @Test func aResetMayCarryMinusOneAndAWireRecorderPutsEverythingOnTheSend() throws {
        let path = CommitRecorderTests.temporaryPath("reset.jsonl")
        let recorder = try CommitRecorder(path: path, proc: "p")
        let partition = CommitRecorder.Partition("orders", 2)
        let rewind = recorder.build(group: "g", offsets: [partition: 0], reset: true)
        recorder.send(commit: rewind)
        recorder.ack(commit: rewind, status: .ok)
        // What a recorder that sees only the wire writes: an OffsetDelete as a reset to -1.
        recorder.send(commit: "wire-1", group: "g", offsets: [partition: -1], reset: true, client: "adminclient-1")
        recorder.send(commit: "wire-2", group: "g", offsets: [partition: 7], txn: "x@1.0#1")
        let fetch = recorder.fetch(group: "g", partitions: [partition], client: "consumer-7")
        recorder.fetched(fetch: fetch, offsets: [partition: -1])
        try recorder.close()
        let events = try Self.lines(path)
        #expect(events[0]["reset"] as? Bool == true)
        #expect(events[0]["txn"] == nil)
        #expect(events[1]["reset"] == nil)
        #expect(events[3]["reset"] as? Bool == true)
        #expect(events[3]["client"] as? String == "adminclient-1")
        #expect((events[3]["offsets"] as? [String: Any])?["orders/2"] as? Int == -1)
        #expect(events[3]["group"] as? String == "g")
        #expect(events[4]["txn"] as? String == "x@1.0#1" && events[4]["reset"] == nil)
        #expect(events[5]["ev"] as? String == "fetch" && events[5]["client"] as? String == "consumer-7")
        #expect(events[5]["partitions"] as? [String] == ["orders/2"])
    }

    @Test func plainLinesCarryNoNewFieldsSoOldTracesStayByteForByteTheSame() throws {
        let path = CommitRecorderTests.temporaryPath("plain.jsonl")
        let recorder = try CommitRecorder(path: path, proc: "p")
        let id = recorder.build(group: "g", offsets: [CommitRecorder.Partition("t", 0): 1], thread: "T")
        recorder.send(commit: id, conn: "c", thread: "T")
        _ = recorder.fetch(group: "g", partitions: [CommitRecorder.Partition("t", 0)], thread: "T")
        try recorder.close()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for field in ["txn", "reset", "client"] { #expect(!text.contains("\"\(field)\""), "\(field) in \(text)") }
        let events = try Self.lines(path)
        #expect(events[0].keys.sorted() == ["commit", "ev", "group", "offsets", "proc", "thread", "ts"])
        #expect(events[1].keys.sorted() == ["commit", "conn", "ev", "proc", "thread", "ts"])
    }

    @Test func transactionIDsAndStringsAreEscapedAndThreadsKeepTheirOrder() throws {
        let path = CommitRecorderTests.temporaryPath("threads-txn.jsonl")
        let recorder = try CommitRecorder(path: path, proc: "p", bufferCapacity: 256)
        let threads = 4, cycles = 300
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            let label = "producer-\(thread)"
            for cycle in 0..<cycles {
                let txn = recorder.nextTransactionID(transactionalID: "tx \"\(thread)\"")
                let id = recorder.build(group: "g", offsets: [CommitRecorder.Partition("in", Int32(thread)): Int64(cycle)],
                                        txn: txn, thread: label)
                recorder.send(commit: id, thread: label)
                recorder.ack(commit: id, status: .ok, thread: label)
                recorder.end(txn: txn, result: cycle % 3 == 0 ? .abort : .commit, thread: label)
                recorder.ended(txn: txn, status: .ok, thread: label)
            }
        }
        try recorder.close()
        let events = try Self.lines(path)
        #expect(events.count == threads * cycles * 5)
        var txns = Set<String>()
        var expected: [String: [String]] = [:]
        let cycleOrder = ["build", "send", "ack", "end", "ended"]
        for event in events {
            let thread = try #require(event["thread"] as? String)
            let kind = try #require(event["ev"] as? String)
            var pending = expected[thread] ?? []
            if pending.isEmpty { pending = cycleOrder }
            #expect(kind == pending.removeFirst(), "\(thread): \(kind) out of order")
            expected[thread] = pending
            if kind == "build" {
                let txn = try #require(event["txn"] as? String)
                #expect(txn.hasPrefix("tx \"\(thread.dropFirst("producer-".count))\"@p#"))
                #expect(txns.insert(txn).inserted, "transaction id \(txn) twice")
            }
        }
        #expect(txns.count == threads * cycles)
    }
}
