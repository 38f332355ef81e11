import CommitCheckTestSupport
import Foundation
import Testing
@testable import CommitCheck
@testable import CommitCheckTool
import Workloads

/// Issue 17: what a new user hits in the first hour, and issue 13's input rules (specs/trace-format.md).
@Suite struct RoughEdgesTests {
    static let sharded = "simulated/unsynchronized-4p-seed3.jsonl"

    func temporary() throws -> URL { try Fixtures.temporaryDirectory() }

    // MARK: Item 3: negative numbers reach the validation message

    @Test(arguments: [
        (["verify", "--timeout", "-1"], "--timeout must be a positive number"),
        (["verify", "--shard", "-1/2"], "--shard takes i/n"),
        (["verify", "--max-memory", "-5"], "--max-memory must be a positive number"),
        (["verify", "--minimize-timeout", "-1"], "--minimize-timeout must be zero or more"),
        (["bench", "--runs", "-1"], "--runs must be at least 1"),
    ])
    func negativeValuesReachTheValidationMessage(_ arguments: [String], _ message: String) throws {
        let option = arguments[1], value = arguments[2]
        let tail = arguments[0] == "verify" ? ["histories/sarama-2940-seed.jsonl"] : []
        for spelling in [[option, value], ["\(option)=\(value)"]] {
            let outcome = CommandLineOutcome(CommitCheckCommand.self, [arguments[0]] + spelling + tail)
            #expect(outcome.exitCode == 2, "\(spelling): \(outcome)")
            #expect(outcome.message.contains(message), "\(spelling): \(outcome)")
            #expect(!outcome.message.contains("Missing value"), "\(spelling): \(outcome)")
        }
    }

    // MARK: Item 4: a mistyped subcommand

    @Test func mistypedSubcommandIsSuggested() throws {
        for (typed, meant) in [("verfy", "verify"), ("bnech", "bench"), ("merg", "merge"), ("proxi", "proxy")] {
            let run = try Fixtures.run([typed, "x.jsonl"])
            #expect(run.code == 2)
            #expect(run.err.contains("did you mean `\(meant)`?"), "\(typed): \(run.err)")
        }
        // A file that exists is read as a trace, whatever its name; a name far from every
        // subcommand is still reported as an unreadable file.
        let far = try Fixtures.run(["orders-trace.jsonl"])
        #expect(far.code == 2)
        #expect(!far.err.contains("did you mean"))
        #expect(far.err.contains("orders-trace.jsonl"))
        let directory = try temporary()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("verfy")
        try (try String(contentsOf: Fixtures.histories.appendingPathComponent("sarama-commit-mutex.jsonl"), encoding: .utf8))
            .write(to: file, atomically: true, encoding: .utf8)
        let run = try ProcessRunner.commitcheck(["verfy"], directory: directory)
        #expect(run.code == 0, "\(run)")
    }

    // MARK: Item 5: file-write errors

    @Test func unwritableOutputsNameThePathWithoutUsage() throws {
        let directory = try temporary()
        defer { try? FileManager.default.removeItem(at: directory) }
        for option in ["--html", "--output", "--counterexample"] {
            let run = try Fixtures.run(["verify", option, directory.path, "histories/sarama-2940-seed.jsonl"])
            #expect(run.code == 2, "\(option)")
            #expect(run.err.contains("cannot write \(directory.path): Is a directory"), "\(option): \(run.err)")
            #expect(!run.err.contains("Usage:"), "\(option): \(run.err)")
            #expect(!run.err.contains("NSCocoaErrorDomain"), "\(option): \(run.err)")
        }
        let missing = directory.appendingPathComponent("no/such/dir/report.json").path
        let run = try Fixtures.run(["verify", "--output", missing, "histories/sarama-commit-mutex.jsonl"])
        #expect(run.code == 2)
        #expect(run.err.contains("cannot write \(missing): No such file or directory"), "\(run.err)")
        for command in [["record", "--listen", "127.0.0.1:0"], ["proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9"]] {
            let run = try Fixtures.run(command + ["--out", directory.path])
            #expect(run.code == 2, "\(command)")
            #expect(run.err.contains("cannot open trace \(directory.path): Is a directory"), "\(command): \(run.err)")
            #expect(!run.err.contains("Usage:"), "\(command): \(run.err)")
        }
    }

    // MARK: Item 7: shards say which they are, and merge

    @Test func shardReportsSayWhichShardTheyAre() throws {
        let json = try Fixtures.run(["verify", "--format", "json", "--shard", "1/3", "histories/\(Self.sharded)"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        let shard = try #require(object["shard"] as? [String: Any])
        #expect(shard["index"] as? Int == 1 && shard["count"] as? Int == 3)
        let text = try Fixtures.run(["verify", "--shard", "1/3", "histories/\(Self.sharded)"])
        #expect(text.out.hasPrefix("shard 1/3: "), "\(text.out)")
        let whole = try Fixtures.run(["verify", "--format", "json", "histories/\(Self.sharded)"])
        #expect(!whole.out.contains("\"shard\""))
    }

    @Test(arguments: [2, 3, 5])
    func mergedShardsEqualTheUnshardedReport(_ count: Int) throws {
        let directory = try temporary()
        defer { try? FileManager.default.removeItem(at: directory) }
        for trace in [Self.sharded, "recorded/kafka-python-racy.jsonl", "two-groups.jsonl"] {
            var paths: [String] = []
            for index in 0..<count {
                let path = directory.appendingPathComponent("shard-\(index).json").path
                let run = try Fixtures.run(["verify", "--format", "json", "--shard", "\(index)/\(count)", "--output", path, "histories/\(trace)"])
                #expect(run.code != 2, "\(run.err)")
                paths.append(path)
            }
            let whole = try Fixtures.run(["verify", "--format", "json", "histories/\(trace)"])
            let merged = try Fixtures.run(["merge", "--format", "json"] + paths.reversed())
            #expect(merged.code == whole.code, "\(trace): \(merged.err)")
            let expected = try JSONReporter.decode(Array(whole.out.utf8))
            let got = try JSONReporter.decode(Array(merged.out.utf8))
            func verdicts(_ report: Report) -> [String] { report.keys.map { "\($0.keyDescription) \($0.property.rawValue) \($0.verdict.rawValue)" } }
            #expect(verdicts(got) == verdicts(expected), "\(trace)")
            #expect(got.verdict == expected.verdict)
            #expect(got.shard == nil)
            #expect(got.traces == expected.traces)
            // Any output format.
            let text = try Fixtures.run(["merge"] + paths)
            #expect(text.out.contains("Verdict: \(expected.verdict.rawValue)"))
        }
    }

    @Test func mergeRefusesOverlappingMissingAndUnshardedReports() throws {
        let directory = try temporary()
        defer { try? FileManager.default.removeItem(at: directory) }
        func shard(_ spec: String, _ name: String, trace: String = RoughEdgesTests.sharded) throws -> String {
            let path = directory.appendingPathComponent(name).path
            var arguments = ["verify", "--format", "json", "--output", path, "histories/\(trace)"]
            if !spec.isEmpty { arguments.insert(contentsOf: ["--shard", spec], at: 1) }
            _ = try Fixtures.run(arguments)
            return path
        }
        let a = try shard("0/2", "a.json"), b = try shard("1/2", "b.json"), again = try shard("1/2", "again.json")
        let overlap = try Fixtures.run(["merge", a, b, again])
        #expect(overlap.code == 2)
        #expect(overlap.err.contains("overlapping shards"), "\(overlap.err)")
        let missing = try Fixtures.run(["merge", a])
        #expect(missing.code == 2)
        #expect(missing.err.contains("missing shard(s) 1/2"), "\(missing.err)")
        let whole = try shard("", "whole.json")
        let unsharded = try Fixtures.run(["merge", a, whole])
        #expect(unsharded.code == 2)
        #expect(unsharded.err.contains("is not a shard report"), "\(unsharded.err)")
        let other = try shard("1/2", "other.json", trace: "two-groups.jsonl")
        let mixed = try Fixtures.run(["merge", a, other])
        #expect(mixed.code == 2)
        #expect(mixed.err.contains("shards of different runs"), "\(mixed.err)")
        let garbage = directory.appendingPathComponent("garbage.json")
        try "not json".write(to: garbage, atomically: true, encoding: .utf8)
        let bad = try Fixtures.run(["merge", garbage.path])
        #expect(bad.code == 2)
        #expect(bad.err.contains(garbage.path), "\(bad.err)")
    }

    // MARK: Item 8: progress only on a terminal

    @Test func noControlCodesWhenStandardErrorIsNotATerminal() throws {
        let lines = HostileInputTests.stuckKeyLines()
        let directory = try temporary()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("slow.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let run = try Fixtures.run(["verify", "--engine", "z3", "--timeout", "0.3", "--minimize-timeout", "0", file.path])
        #expect(!run.err.contains("\u{1B}"), "\(run.err)")
        #expect(!run.err.contains("\r"))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs script(1) for a pseudo-terminal"))
    func progressOnATerminal() throws {
        let lines = HostileInputTests.stuckKeyLines()
        let directory = try temporary()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("slow.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        // script(1) gives the command a terminal; its stdout is discarded, so only stderr shows.
        let command = "'\(Fixtures.executable.path)' verify --engine z3 --timeout 2 --minimize-timeout 0 '\(file.path)' >/dev/null"
        let run = try Fixtures.runProgram("/usr/bin/script", ["-qec", command, "/dev/null"])
        #expect(run.output.contains("deciding 1 key(s)"), "\(run.output)")
        #expect(run.output.contains("\u{1B}[K"))
    }

    @Test func benchWritesNoControlCodesUnlessOnATerminal() throws {
        let run = try Fixtures.run(["bench", "--case", "ordered-10k", "--runs", "1", "--etcd", "/nonexistent-etcd"])
        #expect(run.code == 0, "\(run.err)")
        #expect(run.out.contains("ordered-10k"))
        #expect(!run.err.contains("\u{1B}"), "\(run.err.debugDescription)")
        #expect(!run.err.contains("\r"))
        #expect(run.err.contains("etcd set skipped: /nonexistent-etcd is missing"), "\(run.err)")
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/script") {
            let command = "'\(Fixtures.executable.path)' bench --case ordered-10k --runs 1 --etcd /nonexistent-etcd >/dev/null"
            let terminal = try Fixtures.runProgram("/usr/bin/script", ["-qec", command, "/dev/null"])
            #expect(terminal.output.contains("\u{1B}[K"), "\(terminal.output.debugDescription)")
            #expect(terminal.output.contains("ordered-10k: run 1/1"))
        }
    }

    // MARK: Item 9: bench

    /// A small child's peak memory is its own, not the benchmark's: with 300 MB resident here, a
    /// `sleep` measures a few megabytes (the kernel's maxrss of a spawned child starts from ours).
    @Test func benchMeasuresTheChildsOwnPeakMemory() throws {
        let size = 300 << 20
        let ballast = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 4096)
        defer { ballast.deallocate() }
        memset(ballast, 1, size)
        let measured = try BenchmarkRunner.measure("/bin/sleep", ["0.2"])
        withExtendedLifetime(ballast) {}
        #expect(measured.peakMegabytes > 0 && measured.peakMegabytes < 50, "\(measured.peakMegabytes) MB")
    }

    @Test func benchGeneratesEveryListedCase() throws {
        let directory = try temporary()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("hard.jsonl").path
        let run = try Fixtures.run(["bench", "--generate", "hard-2k-one-key", "--to", path])
        #expect(run.code == 0, "\(run.err)")
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        #expect(size > 10_000)
        let unknown = CommandLineOutcome(CommitCheckCommand.self, ["bench", "--generate", "no-such-case", "--to", path])
        #expect(unknown.exitCode == 2, "\(unknown)")
        #expect(unknown.message.contains("hard-2k-one-key") && unknown.message.contains("hard-10k-one-key"), "\(unknown)")
        let unwritable = try Fixtures.run(["bench", "--generate", "ordered-10k", "--to", directory.path])
        #expect(unwritable.code == 2)
        #expect(unwritable.err.contains("cannot write \(directory.path)") && !unwritable.err.contains("Usage:"), "\(unwritable.err)")
    }

    @Test func benchEtcdHonoursRunsAndNamesAMissingFolder() throws {
        let directory = try temporary()
        defer { try? FileManager.default.removeItem(at: directory) }
        // One tiny Porcupine etcd history: a write of 1, then a read of 1.
        try """
        INFO  jepsen.util - 0\t:invoke\t:write\t1
        INFO  jepsen.util - 0\t:ok\t:write\t1
        INFO  jepsen.util - 1\t:invoke\t:read\tnil
        INFO  jepsen.util - 1\t:ok\t:read\t1

        """.write(to: directory.appendingPathComponent("etcd_000.log"), atomically: true, encoding: .utf8)
        try "etcd_000.log\tlinearizable\n".write(to: directory.appendingPathComponent("EXPECTED.tsv"), atomically: true, encoding: .utf8)
        let run = try Fixtures.run(["bench", "--etcd-only", "--etcd", directory.path, "--runs", "2"])
        #expect(run.code == 0, "\(run.err)")
        #expect(run.out.contains("of 2 runs"), "\(run.out)")
        let missing = directory.appendingPathComponent("absent").path
        let absent = try Fixtures.run(["bench", "--etcd-only", "--etcd", missing])
        #expect(absent.code == 2)
        #expect(absent.err.contains(missing), "\(absent.err)")
    }

    // MARK: Item 11: shell completion

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScriptGenerates(_ shell: String) throws {
        // Generated while parsing: `main()` prints the message and exits 0.
        let outcome = CommandLineOutcome(CommitCheckCommand.self, ["--generate-completion-script", shell])
        #expect(outcome.exitCode == 0, "\(outcome)")
        for subcommand in ["verify", "merge", "bench"] { #expect(outcome.message.contains(subcommand), "\(shell)") }
        #expect(outcome.message.contains("allow-empty"))
    }

    @Test func manualPluginInputDescribesEverySubcommand() throws {
        // swift-argument-parser's generate-manual plugin builds the man page from this dump.
        let run = try Fixtures.run(["--experimental-dump-help"])
        #expect(run.code == 0, "\(run.err)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
        let command = try #require(object["command"] as? [String: Any])
        let names = (command["subcommands"] as? [[String: Any]] ?? []).compactMap { $0["commandName"] as? String }
        for name in ["verify", "merge", "record", "proxy", "simulate", "analyze", "bench"] { #expect(names.contains(name), "\(names)") }
    }
}
