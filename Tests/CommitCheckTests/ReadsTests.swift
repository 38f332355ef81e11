import Foundation
import Testing
@testable import CommitCheck
import Workloads

/// Fetch results (rule 7) across linked keys: the placement on the order graph, the fast path
/// against Z3, and the time limits on traces whose reads are slow to decide.
@Suite struct ReadsTests {
    /// Verdicts per (key, property), as text, for comparing engines.
    static func verdicts(_ report: Report) -> [String: String] {
        Dictionary(uniqueKeysWithValues: report.keys.map { ("\($0.keyDescription) \($0.property.rawValue)", $0.verdict.rawValue) })
    }

    static func trace(_ shape: ProxyCommitTrace) -> String {
        var text = ""
        shape.generate { text += $0 }
        return text
    }

    @Test func proxyShapedTraceIsDecidedWithoutTheSolver() throws {
        // One connection, every event on one thread with timestamps: each read's writer is forced.
        let history = try Fixtures.history(Self.trace(ProxyCommitTrace(partitions: 4, messages: 12)))
        var options = VerifyOptions(engine: .auto)
        options.minimize = false
        let report = try Verifier(options: options).verify(history: history)
        let linearizable = report.keys.filter { $0.property == .linearizable }
        #expect(linearizable.count == 4)
        #expect(linearizable.allSatisfy { $0.verdict == .holds && $0.engine == "graph" })
        #expect(report.keys.filter { $0.property == .monotonic }.allSatisfy { $0.engine == "graph" })
        #expect(report.keys.contains { $0.verdict == .violated }, "the generator plants stale commits")
        options.engine = .z3
        let z3 = try Verifier(options: options).verify(history: history)
        #expect(Self.verdicts(z3) == Self.verdicts(report))
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6])
    func openReadsAgreeWithZ3(seed: UInt64) throws {
        // Many commits in flight on the connection: reads in between are open and go to Z3 with
        // only their writers; `--engine z3` gives it every commit of the key instead.
        var text = Self.trace(ProxyCommitTrace(partitions: 3, messages: 6, inFlight: 4, rebalances: 2, seed: seed))
        // A read that must be wrong somewhere, now and then, so that clashes are compared too.
        if seed % 2 == 0 { text = text.replacingOccurrences(of: #""p/1":6}"#, with: #""p/1":5}"#) }
        let history = try Fixtures.history(text)
        var options = VerifyOptions(engine: .auto)
        options.minimize = false
        let auto = try Verifier(options: options).verify(history: history)
        options.engine = .z3
        let z3 = try Verifier(options: options).verify(history: history)
        #expect(Self.verdicts(auto) == Self.verdicts(z3))
        #expect(auto.keys.contains { $0.property == .linearizable })
    }

    @Test func determinedClashNamesTheForcedWriter() throws {
        let text = """
        {"ev":"send","proc":"p","ts":1,"commit":"c1","group":"g","offsets":{"t/0":5,"t/1":1},"conn":"k"}
        {"ev":"ack","proc":"p","ts":2,"commit":"c1","status":"ok"}
        {"ev":"fetch","proc":"p","ts":3,"fetch":"f","group":"g","partitions":["t/1"]}
        {"ev":"fetched","proc":"p","ts":4,"fetch":"f","offsets":{"t/1":7}}
        """
        let report = try Verifier().verify(history: try Fixtures.history(text + "\n"))
        // The read is of t/1; t/0 is linked to it through c1 and gets no linearizable row of its own.
        let read = try #require(report.keys.first { $0.partition == 1 && $0.property == .linearizable })
        #expect(read.verdict == .violated && read.engine == "graph")
        #expect(read.counterexample?.narrative.contains { $0.contains("forces commit c1") } == true)
        #expect(read.counterexample?.minimal == true)
        #expect(!report.keys.contains { $0.partition == 0 && $0.property == .linearizable })
    }

    /// Eight threads without timestamps commit one key and read it back: every read is open
    /// against every commit of the other threads, which is slow for the solver on purpose.
    static func slowReadsTrace(commits: Int = 240, reads: Int = 40) -> String {
        var random = SplitMix64(seed: 7)
        var lines = [#"{"ev":"meta","format":"commitcheck/1"}"#]
        var written: [Int] = []
        for index in 0..<commits {
            let thread = "T\(index % 8)"
            let offset = Int(random.next() % 50)
            written.append(offset)
            lines.append(#"{"ev":"build","proc":"p","thread":"\#(thread)","commit":"c\#(index)","group":"g","offsets":{"t/0":\#(offset),"t/1":\#(offset)}}"#)
            lines.append(#"{"ev":"send","proc":"p","thread":"\#(thread)","commit":"c\#(index)"}"#)
            lines.append(#"{"ev":"ack","proc":"p","thread":"\#(thread)","commit":"c\#(index)","status":"ok"}"#)
            if index % (commits / reads) == 0 {
                let value = written[Int(random.next() % UInt64(written.count))]
                lines.append(#"{"ev":"fetch","proc":"p","thread":"R","fetch":"f\#(index)","group":"g","partitions":["t/0","t/1"]}"#)
                lines.append(#"{"ev":"fetched","proc":"p","thread":"R","fetch":"f\#(index)","offsets":{"t/0":\#(value),"t/1":\#(value)}}"#)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func timeoutBoundsTheRunAndListsEveryKey() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("slow.jsonl")
        try Self.slowReadsTrace().write(to: file, atomically: true, encoding: .utf8)
        let started = Date()
        let run = try Fixtures.run(["verify", "--engine", "z3", "--timeout", "2", file.path])
        let seconds = Date().timeIntervalSince(started)
        #expect(seconds < 6, "took \(seconds) s")
        // Both keys, both properties: nothing decided in time may vanish from the report.
        for row in ["g t/0  monotonic", "g t/1  monotonic", "g t/0  linearizable", "g t/1  linearizable"] {
            #expect(run.out.contains(row), "\(row) missing:\n\(run.out)")
        }
        #expect(run.out.contains("4 key(s)"))
        #expect(run.code == 3, "\(run.out)\(run.err)")
        #expect(run.out.contains("--timeout of 2 s ran out"))
    }

    @Test func sigintStopsSlowReadsPromptly() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("slow.jsonl")
        try Self.slowReadsTrace().write(to: file, atomically: true, encoding: .utf8)
        let run = try Fixtures.interrupted(["verify", "--engine", "z3", file.path], after: 1)
        let output = run.out
        #expect(run.stopSeconds < 4, "stopped \(run.stopSeconds) s after SIGINT")
        // Interrupted, not finished: what was not decided is listed as unknown.
        #expect(run.err.contains("interrupted"))
        #expect(run.code == 3 || run.code == 1, "\(output)")
        #expect(output.contains("unknown"), "\(output)")
        #expect(output.contains("4 key(s)"), "\(output)")
        #expect(output.contains("g t/1  linearizable"))
    }
}
