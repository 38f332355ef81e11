import CommitCheck
import CommitRecorder
import Foundation
import Testing

@Suite struct CommitRecorderTests {
    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("commitrecorder-\(UUID().uuidString)-\(name)").path
    }

    @Test func concurrentThreadsWriteWholeLinesInEachThreadsOrder() throws {
        let path = Self.temporaryPath("threads.jsonl")
        let recorder = try CommitRecorder(path: path, proc: "worker")
        let threads = 6, cycles = 2_000
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            let partition = CommitRecorder.Partition("orders", Int32(thread))
            for cycle in 0..<cycles {
                let id = recorder.build(group: "g", offsets: [partition: Int64(cycle)], generation: 3, member: "m-\(thread)")
                recorder.send(commit: id, conn: "conn-\(thread)")
                recorder.ack(commit: id, status: .ok)
            }
        }
        try recorder.close()
        let history = try TraceReader().read(paths: [path])
        #expect(history.events.count == threads * cycles * 3)
        #expect(history.commits.count == threads * cycles)
        // Within a thread (or the test's task, which runs some iterations on its own thread):
        // timestamps grow, and each commit is build, send, ack in that order.
        var lastTS: [String: Int] = [:]
        var lastKind: [String: EventKind] = [:]
        for event in history.events {
            #expect(event.proc == "worker")
            #expect(event.thread.hasPrefix("thread-") || event.thread.hasPrefix("task-"))
            if let previous = lastTS[event.thread] { #expect(event.ts! >= previous) }
            let expectedKind: EventKind = switch lastKind[event.thread] {
            case .build: .send
            case .send: .ack
            default: .build
            }
            #expect(event.kind == expectedKind)
            lastTS[event.thread] = event.ts
            lastKind[event.thread] = event.kind
        }
        #expect((1...threads).contains(lastTS.count))
        // Across threads too, `ts` rises strictly in file order (the clock is read under the
        // write lock), so the trace qualifies for streaming.
        let stamps = history.events.map { $0.ts! }
        #expect(zip(stamps, stamps.dropFirst()).allSatisfy { $0 < $1 })
        // Every key is committed by one thread in order, each on its own connection: it holds.
        let report = try Verifier(options: VerifyOptions()).verify(history: history)
        #expect(report.keys.allSatisfy { $0.verdict == .holds })
        var streaming = StreamingVerifier(options: VerifyOptions(), mode: .on)
        streaming.minimumWindowEvents = 1
        let outcome = try streaming.stream(path: path)
        guard case .report(let streamed) = outcome else {
            Issue.record("a recorder's trace does not stream: \(outcome)")
            return
        }
        #expect(streamed.keys.map(\.verdict) == report.keys.map(\.verdict))
    }

    @Test func aSnapshotBuiltBeforeANewerCommitIsSentAfterItIsCaught() throws {
        // Sarama #2940 in two tasks' worth of calls, recorded with explicit thread names.
        let path = Self.temporaryPath("race.jsonl")
        let recorder = try CommitRecorder(path: path, proc: "consumer-1")
        let p0 = CommitRecorder.Partition("orders", 0), p1 = CommitRecorder.Partition("orders", 1)
        let g0 = recorder.build(group: "g", offsets: [p0: 11], thread: "G0")
        let g1 = recorder.build(group: "g", offsets: [p0: 11, p1: 21], thread: "G1")
        recorder.send(commit: g0, thread: "G0")
        recorder.ack(commit: g0, status: .ok, thread: "G0")
        let g0b = recorder.build(group: "g", offsets: [p0: 12, p1: 21], thread: "G0")
        recorder.send(commit: g0b, thread: "G0")
        recorder.ack(commit: g0b, status: .ok, thread: "G0")
        recorder.send(commit: g1, thread: "G1")
        recorder.ack(commit: g1, status: .ok, thread: "G1")
        let fetch = recorder.fetch(group: "g", partitions: [p0], thread: "G0")
        recorder.fetched(fetch: fetch, offsets: [p0: 11], thread: "G0")
        try recorder.close()
        let report = try Verifier(options: VerifyOptions()).verify(paths: [path])
        let p0Monotonic = report.keys.first { $0.partition == 0 && $0.property == .monotonic }
        #expect(p0Monotonic?.verdict == .violated)
        #expect(report.keys.first { $0.partition == 0 && $0.property == .linearizable }?.verdict == .holds)
    }

    @Test func stringsAreEscapedAndErrorsAndTasksAreRecorded() async throws {
        let path = Self.temporaryPath("escape.jsonl")
        let recorder = try CommitRecorder(path: path, proc: "p \"quoted\"\n\u{1}")
        let id = recorder.build(group: "g\\1", offsets: [CommitRecorder.Partition("t\"x", 0): 5], member: "ü")
        await Task { recorder.send(commit: id) }.value
        recorder.ack(commit: id, status: .ok, errors: [CommitRecorder.Partition("t\"x", 0): "NOT_COORDINATOR"])
        try recorder.close()
        let history = try TraceReader().read(paths: [path])
        #expect(history.events.count == 3)
        #expect(history.events[0].proc == "p \"quoted\"\n\u{1}")
        #expect(history.events[0].group == "g\\1")
        #expect(history.events[0].member == "ü")
        #expect(history.events[0].offsets?.first?.0 == TopicPartition(topic: "t\"x", partition: 0))
        #expect(history.events[1].thread.hasPrefix("task-"))
        #expect(history.events[2].errors?.first?.1 == "NOT_COORDINATOR")
    }

    @Test func whatIsWrittenBeforeCloseIsAlwaysWholeLines() throws {
        let path = Self.temporaryPath("partial.jsonl")
        let recorder = try CommitRecorder(path: path, proc: "p", bufferCapacity: 300)
        for cycle in 0..<500 {
            _ = recorder.build(group: "g", offsets: [CommitRecorder.Partition("t", 0): Int64(cycle)])
            if cycle % 97 == 0 {
                // What a crash right now would leave: whole lines only, each valid.
                let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
                #expect(bytes.isEmpty || bytes.last == UInt8(ascii: "\n"))
                _ = try TraceReader().read(bytes: bytes, name: path)
            }
        }
        try recorder.flush()
        #expect(try TraceReader().read(paths: [path]).events.count == 500)
        try recorder.close()
        recorder.send(commit: "late")
        #expect(throws: RecorderError.self) { try recorder.flush() }
    }

    @Test func aFullDiskIsReportedByFlushNotByTheRecordingCall() throws {
        let recorder = try CommitRecorder(path: "/dev/full", proc: "p", bufferCapacity: 64)
        for cycle in 0..<10 { _ = recorder.build(group: "g", offsets: [CommitRecorder.Partition("t", 0): Int64(cycle)]) }
        #expect {
            try recorder.flush()
        } throws: { error in
            "\(error)".contains("/dev/full")
        }
    }

    @Test func appendingKeepsTheFileAndWritesNoSecondMeta() throws {
        let path = Self.temporaryPath("append.jsonl")
        let first = try CommitRecorder(path: path, proc: "p")
        first.send(commit: "c1", group: "g", offsets: [CommitRecorder.Partition("t", 0): 1])
        try first.close()
        let second = try CommitRecorder(path: path, proc: "p", append: true)
        second.send(commit: "c2", group: "g", offsets: [CommitRecorder.Partition("t", 0): 2])
        try second.close()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.components(separatedBy: "\"meta\"").count == 2)
        #expect(try TraceReader().read(paths: [path]).events.count == 2)
    }
}
