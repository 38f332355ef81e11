import Foundation
import Testing
@testable import CommitCheck

/// Nothing a trace contains may crash, hang or fool the checker (issue 9). Cases not here are in
/// BadInputTests (JSON-level hostility: huge integers, duplicate keys, deep nesting, NUL, bad UTF-8).
@Suite struct HostileInputTests {
    func write(_ text: String, _ name: String = "trace.jsonl") throws -> (URL, URL) {
        let directory = try Fixtures.temporaryDirectory()
        let file = directory.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return (directory, file)
    }

    @Test func emptyFileIsNothingToCheck() throws {
        // Issue 17 item 10: a trace with no commit and no fetch is a run that checked nothing.
        let (directory, file) = try write("")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try Fixtures.run(["verify", file.path])
        #expect(run.code == 2)
        #expect(run.err.contains("nothing to check in \(file.path)"), "\(run.err)")
        #expect(!run.err.contains("Usage:"))
        let allowed = try Fixtures.run(["verify", "--allow-empty", file.path])
        #expect(allowed.code == 0)
        #expect(allowed.out.contains("0 key(s)"))
    }

    @Test func fileOfOnlyMetaIsNothingToCheckAndNamesEveryFile() throws {
        let (directory, file) = try write("{\"ev\":\"meta\",\"format\":\"commitcheck/1\"}\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let second = directory.appendingPathComponent("second.jsonl")
        try "{\"ev\":\"meta\",\"format\":\"commitcheck/1\"}\n".write(to: second, atomically: true, encoding: .utf8)
        let run = try Fixtures.run(["verify", file.path, second.path])
        #expect(run.code == 2)
        #expect(run.err.contains("nothing to check in \(file.path), \(second.path)"), "\(run.err)")
        #expect(try Fixtures.run(["verify", "--allow-empty", file.path]).code == 0)
        // One fetch is something to check.
        try "{\"ev\":\"fetch\",\"proc\":\"p\",\"fetch\":\"f\",\"group\":\"g\",\"partitions\":[\"t/0\"]}\n".write(to: second, atomically: true, encoding: .utf8)
        #expect(try Fixtures.run(["verify", file.path, second.path]).code == 0)
    }

    @Test func veryLongLineIsReadWhole() throws {
        // A 2 MB line (longer than the reader's first block) with a long unknown field.
        let padding = String(repeating: "x", count: 2 << 20)
        let text = "{\"ev\":\"build\",\"proc\":\"p\",\"commit\":\"c\",\"group\":\"g\",\"offsets\":{\"t/0\":1},\"note\":\"\(padding)\"}\n"
        let (directory, file) = try write(text)
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = try Verifier().verify(paths: [file.path])
        #expect(report.keys.count == 1 && report.keys[0].verdict == .holds)
    }

    @Test func tenThousandProcesses() throws {
        var lines = ["{\"ev\":\"meta\",\"format\":\"commitcheck/1\"}"]
        for index in 0..<10_000 {
            lines.append("{\"ev\":\"build\",\"proc\":\"p\(index)\",\"ts\":\(index),\"commit\":\"c\(index)\",\"group\":\"g\",\"offsets\":{\"t/\(index % 7)\":\(index)}}")
            lines.append("{\"ev\":\"send\",\"proc\":\"p\(index)\",\"ts\":\(index + 1),\"commit\":\"c\(index)\"}")
        }
        let (directory, file) = try write(lines.joined(separator: "\n") + "\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = try Verifier().verify(paths: [file.path])
        // Monotonic clocks do not order processes: every partition with two commits may regress.
        #expect(report.keys.count == 7)
        #expect(report.keys.allSatisfy { $0.verdict == .possible })
    }

    @Test func commitIdsCollidingAcrossProcessesAreRejected() throws {
        // Commit ids are unique in a history by design (they join a proxy's and a client's events),
        // so two processes building "c1" is an error naming both lines, not a silent merge.
        let (directory, file) = try write("""
        {"ev":"build","proc":"a","commit":"c1","group":"g","offsets":{"t/0":5}}
        {"ev":"build","proc":"b","commit":"c1","group":"g","offsets":{"t/0":3}}

        """)
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try Fixtures.run(["verify", file.path])
        #expect(run.code == 2)
        #expect(run.err.contains(":2: field 'commit': second build of commit 'c1' (first at line 1)"))
    }

    @Test func samePartitionTwiceInOneCommitIsRejected() throws {
        #expect(throws: TraceError.self) {
            _ = try Fixtures.history("{\"ev\":\"build\",\"proc\":\"p\",\"commit\":\"c\",\"group\":\"g\",\"offsets\":{\"t/0\":1,\"t/00\":2}}\n")
        }
    }

    @Test func timestampsBackwardsWithinAThreadAreAContradiction() throws {
        // Program order says line 1 before line 2; the clock says the reverse: no schedule exists,
        // so no verdict could be honest. It is bad input, naming both lines.
        do {
            let history = try Fixtures.history("""
            {"ev":"build","proc":"p","ts":20,"commit":"c","group":"g","offsets":{"t/0":1}}
            {"ev":"send","proc":"p","ts":10,"commit":"c"}

            """)
            _ = try Verifier().verify(history: history)
            Issue.record("accepted")
        } catch {
            #expect(error.line == 1 && error.relatedLines == [2])
        }
    }

    @Test func binaryGarbageIsAnErrorNotACrash() throws {
        // Random bytes: each either reads (rarely: blank lines, say) or is refused with a TraceError
        // naming a line of the input; nothing else may come out, and no crash.
        var generator = SeededGenerator(seed: 7)
        var refused = 0
        for _ in 0..<200 {
            // Terminated: an unterminated bad last line is a recorder's cut-off write (a warning).
            let bytes = (0..<Int.random(in: 1..<300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) } + [0x0A]
            let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).count
            do {
                let history = try TraceReader().read(bytes: bytes)
                #expect(history.commits.isEmpty && history.fetches.isEmpty, "garbage read as events: \(bytes)")
            } catch {
                refused += 1
                #expect((1...lines).contains(error.line), "\(error)")
                #expect(!error.message.isEmpty)
            }
        }
        #expect(refused >= 190, "only \(refused) of 200 garbage inputs refused")
        // And through the command: exit 2 with the line named.
        let (directory, file) = try write(String(decoding: [0x7B, 0xFF, 0x00, 0x22, 0x0A], as: UTF8.self))
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try Fixtures.run(["verify", file.path])
        #expect(run.code == 2)
        #expect(run.err.contains("\(file.path):1"), "\(run.err)")
    }

    @Test func stuckKeyBecomesUnknownUnderTimeout() throws {
        // Thousands of commits in flight on one shared connection without timestamps: Z3 has to
        // search; with a tiny budget the key must come out unknown (exit 3), never hang.
        let lines = Self.stuckKeyLines()
        let (directory, file) = try write(lines.joined(separator: "\n") + "\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let started = Date()
        let run = try Fixtures.run(["verify", "--engine", "z3", "--timeout", "0.05", "--minimize-timeout", "1", file.path])
        #expect(Date().timeIntervalSince(started) < 60)
        #expect(run.code == 3, "\(run.out)\(run.err)")
        #expect(run.out.contains("g t/0  monotonic: unknown"), "\(run.out)")
    }
}

extension HostileInputTests {
    /// 400 commits with scattered offsets sent by four threads on one connection without
    /// timestamps: thousands of open connection orders that only Z3 can sort out, slowly.
    static func stuckKeyLines() -> [String] {
        var lines = ["{\"ev\":\"meta\",\"format\":\"commitcheck/1\"}"]
        for index in 0..<400 {
            let thread = "T\(index % 4)"
            lines.append("{\"ev\":\"build\",\"proc\":\"p\",\"thread\":\"\(thread)\",\"commit\":\"c\(index)\",\"group\":\"g\",\"offsets\":{\"t/0\":\((index * 7919) % 400)}}")
            lines.append("{\"ev\":\"send\",\"proc\":\"p\",\"thread\":\"\(thread)\",\"commit\":\"c\(index)\",\"conn\":\"k\"}")
        }
        return lines
    }

    @Test func sigintPrintsWhatWasDecidedSoFar() throws {
        var lines = Self.stuckKeyLines()
        // A key the fast path decides at once, next to the stuck one.
        lines.append("{\"ev\":\"build\",\"proc\":\"q\",\"commit\":\"easy\",\"group\":\"h\",\"offsets\":{\"t/0\":1}}")
        let (directory, file) = try write(lines.joined(separator: "\n") + "\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try Fixtures.interrupted(["verify", "--engine", "z3", file.path], after: 1)
        let output = run.out
        #expect(run.err.contains("interrupted"))
        #expect(run.code == 3, "\(output)")
        #expect(output.contains("g t/0  monotonic: unknown"))
        #expect(output.contains("2 key(s)"))
    }
}
