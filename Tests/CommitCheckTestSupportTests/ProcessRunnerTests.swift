import CommitCheckTestSupport
import Foundation
import Testing

/// The runner every test starts programs with keeps its promises: a deadline that kills, pipes
/// that never fill up, input given, signals delivered.
@Suite struct ProcessRunnerTests {
    @Test func aChildPastItsDeadlineIsKilledAndReported() throws {
        let started = Date()
        do {
            let result = try ProcessRunner.run("/bin/sh", ["-c", "echo before; exec sleep 30"], timeout: 0.5)
            Issue.record("a 30 s sleep ended within 0.5 s: \(result)")
        } catch let timedOut as ProcessRunner.TimedOut {
            #expect(timedOut.partial.signal == SIGTERM, "\(timedOut)")
            #expect(timedOut.partial.out == "before\n", "\(timedOut)")
            #expect(timedOut.description.contains("ran past 0.5 s"))
        }
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func bothPipesAreDrainedWhileTheChildRuns() throws {
        // A megabyte on each stream: far past a pipe's 64 KiB, so reading one stream to its end
        // before the other, or reading after the exit, would never return.
        let script = "head -c 1000000 /dev/zero | tr '\\0' a; head -c 1000000 /dev/zero | tr '\\0' b >&2; exit 4"
        let result = try ProcessRunner.run("/bin/sh", ["-c", script], timeout: 60)
        #expect(result.status == 4 && result.signal == nil)
        #expect(result.out.count == 1_000_000 && result.out.allSatisfy { $0 == "a" })
        #expect(result.err.count == 1_000_000 && result.err.allSatisfy { $0 == "b" })
    }

    @Test func inputIsGivenAndOtherwiseEmpty() throws {
        #expect(try ProcessRunner.run("/bin/cat", [], input: .data(Data("hello\n".utf8)), timeout: 30).out == "hello\n")
        // No input: /dev/null, so a reader of stdin ends at once instead of waiting forever.
        #expect(try ProcessRunner.run("/bin/cat", [], timeout: 30).out == "")
    }

    @Test func aRunningChildIsWatchedAndSignalled() throws {
        let child = try ProcessRunner("/bin/sh", ["-c", "trap 'echo interrupted >&2; exit 7' INT; echo ready >&2; while :; do sleep 0.05; done"])
        defer { child.stop() }
        try child.waitForError(timeout: 30) { $0.contains("ready") }
        #expect(child.waitUntilCatching(SIGINT))
        child.signal(SIGINT)
        let result = try child.wait(timeout: 30)
        #expect(result.status == 7 && result.signal == nil, "\(result)")
        #expect(result.err == "ready\ninterrupted\n")
        #expect(!child.isRunning)
    }

    @Test func waitingForOutputThatNeverComesThrows() throws {
        let child = try ProcessRunner("/bin/sh", ["-c", "echo other >&2"])
        defer { child.stop() }
        #expect(throws: ProcessRunner.NotReady.self) { try child.waitForError(timeout: 10) { $0.contains("ready") } }
    }

    @Test func theBuiltCommandIsFoundFromThePackageRoot() throws {
        #expect(FileManager.default.fileExists(atPath: PackagePaths.root.appendingPathComponent("Package.swift").path))
        let help = try ProcessRunner.commitcheck(["--help"], timeout: 120)
        #expect(help.status == 0 && help.out.contains("verify"), "\(help)")
    }
}
