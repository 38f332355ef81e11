import CommitCheck
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `commitcheck record`: the collector process, driven over loopback.
@Suite(.serialized)
struct CollectorTests {
    /// Starts a collector writing to a fresh file; returns it, its port and the file.
    static func startCollector(_ extra: [String] = []) throws -> (ChildProcess, Int, String) {
        let out = try Package.temporaryFile("collected.jsonl")
        let collector = try ChildProcess(Package.commitcheck, ["record", "--listen", "127.0.0.1:0", "--out", out] + extra)
        try collector.waitForError(timeout: 30) { $0.contains("listening on") }
        let text = collector.err
        let portText = text[text.range(of: "listening on 127.0.0.1:")!.upperBound...].prefix { $0.isNumber }
        return (collector, Int(portText)!, out)
    }

    static func line(writer: Int, sequence: Int) -> String {
        #"{"ev":"build","proc":"w\#(writer)","thread":"t","ts":\#(sequence),"commit":"w\#(writer)-\#(sequence)","group":"g","offsets":{"topic/\#(writer)":\#(sequence)}}"# + "\n"
    }

    @Test func eightWritersOfTenThousandLinesAreDrainedNotDroppedOnSIGTERM() throws {
        let (collector, port, out) = try Self.startCollector(["--drain-timeout", "60"])
        defer { collector.stop() }
        let writers = 8, perWriter = 10_000, burst = 250
        // Connect everyone first: after SIGTERM the collector accepts no new connections.
        let clients = try (0..<writers).map { _ in try LineClient(port: port) }
        let answers = Gathered()
        let failures = Gathered()
        // One thread per writer (not the shared dispatch pool, which other tests may keep busy):
        // all eight really write at once.
        let threads = (0..<writers).map { writer in
            Thread {
                do {
                    var sequence = 0
                    while sequence < perWriter {
                        var text = ""
                        for _ in 0..<burst where sequence < perWriter {
                            text += Self.line(writer: writer, sequence: sequence)
                            sequence += 1
                        }
                        try clients[writer].write(text)
                        // Writer 0 sends SIGTERM in the middle of everyone's bursts.
                        if writer == 0, sequence == perWriter / 2 { collector.signal(SIGTERM) }
                    }
                    answers.add(clients[writer].finish())
                } catch {
                    failures.add("writer \(writer): \(error)")
                }
            }
        }
        for thread in threads { thread.start() }
        let deadline = Date().addingTimeInterval(120)
        while threads.contains(where: { !$0.isFinished }) && Date() < deadline { usleep(10_000) }
        #expect(failures.all.isEmpty, "\(failures.all)")
        let status = try collector.wait(timeout: 120)
        #expect(status == 0, "collector: \(collector.err)")
        #expect(answers.all.count == writers)
        for answer in answers.all { #expect(answer == "ok \(perWriter) 0\n") }
        #expect(collector.err.contains("stopping"))

        // Exactly the lines sent, each valid, each writer's in its order.
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: out)))
        #expect(bytes.last == UInt8(ascii: "\n"))
        let history = try TraceReader().read(bytes: bytes, name: out)
        #expect(history.events.count == writers * perWriter)
        var next = [String: Int]()
        for event in history.events {
            #expect(event.ts == next[event.proc, default: 0], "lines of \(event.proc) out of order")
            next[event.proc] = (event.ts ?? -1) + 1
        }
        #expect(next.count == writers && next.values.allSatisfy { $0 == perWriter })
    }

    @Test func badLinesAreAnsweredOnTheConnectionAndNotWritten() throws {
        let (collector, port, out) = try Self.startCollector()
        defer { collector.stop() }
        let client = try LineClient(port: port)
        try client.write(Self.line(writer: 1, sequence: 0))
        try client.write(#"{"ev":"build","proc":"w1","commit":"x"}"# + "\n")          // no group, no offsets
        try client.write("{\"ev\":\"send\",\"proc\":\"w1\",\"commit\":\"w1-0\"\r\n")        // cut JSON
        try client.write(#"{"ev":"meta","format":"commitcheck/1"}"# + "\n")             // dropped, not an error
        try client.write(#"{"ev":"send","proc":"w1","commit":"w1-0"}"#)                   // no line end before EOF
        let answer = client.finish()
        #expect(answer.contains("error: line 2: "))
        #expect(answer.contains("error: line 3: column"))
        #expect(answer.hasSuffix("ok 2 2\n"), "\(answer)")
        collector.signal(SIGINT)
        #expect(try collector.wait(timeout: 30) == 0)
        #expect(collector.err.contains("line 2"))
        let written = try String(contentsOfFile: out, encoding: .utf8)
        #expect(written == Self.line(writer: 1, sequence: 0) + #"{"ev":"send","proc":"w1","commit":"w1-0"}"# + "\n")
    }

    @Test func aClientThatNeverClosesIsCutOffAtTheDrainTimeoutWithItsWholeLinesKept() throws {
        let (collector, port, out) = try Self.startCollector(["--drain-timeout", "1"])
        defer { collector.stop() }
        let client = try LineClient(port: port)
        try client.write(Self.line(writer: 2, sequence: 0) + Self.line(writer: 2, sequence: 1) + #"{"ev":"bu"#)
        usleep(300_000)
        let started = Date()
        collector.signal(SIGTERM)
        #expect(try collector.wait(timeout: 30) == 0)
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(collector.err.contains("cut off"))
        let history = try TraceReader().read(paths: [out])
        #expect(history.events.count == 2)
        close(client.fd)
    }

    @Test func unixSocketsWorkToo() throws {
        let out = try Package.temporaryFile("unix.jsonl")
        let socketPath = (out as NSString).deletingLastPathComponent + "/collector.sock"
        let collector = try ChildProcess(Package.commitcheck, ["record", "--listen", "unix:" + socketPath, "--out", out])
        defer { collector.stop() }
        try collector.waitForError(timeout: 30) { $0.contains("listening on") }
        let python = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
            s.sendall(sys.argv[2].encode()); s.shutdown(socket.SHUT_WR)
            print(s.makefile().read(), end="")
            """
        let result = try ChildProcess.run("/usr/bin/env", ["python3", "-c", python, socketPath, Self.line(writer: 3, sequence: 7)], timeout: 30)
        #expect(result.out == "ok 1 0\n", "\(result.err)")
        collector.signal(SIGTERM)
        #expect(try collector.wait(timeout: 30) == 0)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == Self.line(writer: 3, sequence: 7))
    }

    @Test func aBadListenAddressIsAUsageError() throws {
        let result = try ChildProcess.run(Package.commitcheck, ["record", "--listen", "nowhere", "--out", "/tmp/x.jsonl"], timeout: 30)
        #expect(result.status == 2)
        #expect(result.err.contains("--listen"))
    }
}
