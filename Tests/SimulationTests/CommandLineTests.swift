import Foundation
import Testing
@testable import Simulation

/// `simulate` and `analyze` refuse absurd numbers with a message naming the option and exit 2
/// (issue 17, items 2, 3 and 9), checked on the built executable since its command types live in
/// an executable target; the bounds themselves are checked in-process.
@Suite struct CommandLineTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The built `commitcheck` next to the test bundle.
    static var executable: URL {
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("commitcheck"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("commitcheck"),
            root.appendingPathComponent(".build/debug/commitcheck"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates.last!
    }

    /// Runs the executable under a 60 s limit (a hang fails with exit 124); exit code, stdout, stderr.
    static func run(_ arguments: [String]) throws -> (code: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["60", executable.path] + arguments
        process.currentDirectoryURL = root
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    struct BadLine: Sendable, CustomStringConvertible {
        var arguments: [String]
        /// Text the error message must contain.
        var names: String
        var description: String { arguments.joined(separator: " ") }
    }

    static let badLines: [BadLine] = [
        BadLine(arguments: ["simulate", "--strategy", "unsynchronized", "--partitions", "99999999999"], names: "--partitions must be between 1 and 4096"),
        BadLine(arguments: ["simulate", "--strategy", "unsynchronized", "--latency-ns", "9223372036854775807"], names: "--latency-ns must be between 0 and"),
        BadLine(arguments: ["simulate", "--strategy", "unsynchronized", "--messages", "99999999999"], names: "--messages must be between 1 and"),
        BadLine(arguments: ["simulate", "--strategy", "unsynchronized", "--commits", "99999999999"], names: "--messages must be between 1 and"),
        BadLine(arguments: ["simulate", "--strategy", "unsynchronized", "--partitions", "4096", "--messages", "1000"], names: "at most 2000000 per run"),
        BadLine(arguments: ["simulate", "--strategy", "unsynchronized", "--partitions", "1000", "--messages", "1000"], names: "offsets (commits × --partitions"),
        BadLine(arguments: ["simulate", "--strategy", "unsynchronized", "--partitions", "-1"], names: "--partitions must be between 1 and 4096, not -1"),
        BadLine(arguments: ["simulate", "--strategy", "unsynchronized", "--processing-ns", "-5"], names: "--processing-ns must be between 0 and"),
        BadLine(arguments: ["simulate", "--strategy", "unsynchronized", "--messages", "3", "--commits", "3"], names: "--commits is the old name of --messages"),
        BadLine(arguments: ["analyze", "--partitions", "99999999999"], names: "--partitions must be between 1 and 4096"),
        BadLine(arguments: ["analyze", "--partitions", "-1"], names: "--partitions must be between 1 and 4096, not -1"),
        BadLine(arguments: ["analyze", "--partitions", "1,x"], names: "--partitions takes whole numbers"),
        BadLine(arguments: ["analyze", "--seeds", "99999999999"], names: "--seeds must be between 1 and 100000"),
        BadLine(arguments: ["analyze", "--seeds", "-3"], names: "--seeds must be between 1 and 100000, not -3"),
        BadLine(arguments: ["analyze", "--seeds", "20000"], names: "runs (cells × --seeds); at most 100000"),
        BadLine(arguments: ["analyze", "--strategies", "unsynchronized", "--partitions", "100", "--messages", "5000", "--commit-every", "1", "--latency-ns", "1", "--seeds", "101"],
                names: "simulated messages; at most 50000000"),
        BadLine(arguments: ["analyze", "--strategies", "unsynchronized", "--partitions", "100", "--messages", "5000", "--commit-every", "1", "--latency-ns", "1", "--seeds", "3"],
                names: "offsets (commits × partitions); at most 100000000"),
        BadLine(arguments: ["analyze", "--jitter-ns", "9223372036854775807"], names: "--jitter-ns must be between 0 and"),
    ]

    @Test(arguments: badLines)
    func refusedWithExitTwo(_ line: BadLine) throws {
        let (code, out, err) = try Self.run(line.arguments)
        #expect(code == 2, "\(line): exit \(code), stderr \(err)")
        #expect(err.contains(line.names), "\(line): \(err)")
        #expect(!err.contains("Missing value"), "\(line): \(err)")
        #expect(out.isEmpty)
    }

    /// `--messages` is the one name; `--commits` still works, hidden, with a warning.
    @Test func messagesAndItsDeprecatedAlias() throws {
        let new = try Self.run(["simulate", "--strategy", "broker-lock", "--partitions", "2", "--messages", "3", "--seed", "5"])
        let old = try Self.run(["simulate", "--strategy", "broker-lock", "--partitions", "2", "--commits", "3", "--seed", "5"])
        #expect(new.code == 0 && old.code == 0, "\(new.err) \(old.err)")
        #expect(new.out == old.out && !new.out.isEmpty)
        // Two partitions, three messages each, a commit per message under v1.43.3: six requests.
        #expect(new.out.split(separator: "\n").filter { $0.contains("\"ev\":\"build\"") }.count == 6)
        #expect(old.err.contains("--commits is deprecated") && !new.err.contains("deprecated"))
        let help = try Self.run(["simulate", "--help"])
        #expect(help.out.contains("--messages") && !help.out.contains("--commits"))
    }

    /// Progress goes to a terminal only: a pipe (as here) gets no progress bar.
    @Test func noProgressOnAPipe() throws {
        let sweep = try Self.run(["analyze", "--strategies", "unsynchronized", "--partitions", "2", "--commit-every", "1",
                                  "--latency-ns", "150000", "--seeds", "2", "--messages", "3"])
        #expect(sweep.code == 0, "\(sweep.err)")
        #expect(!sweep.err.contains("[") && !sweep.err.contains("\u{1B}"), "\(sweep.err)")
        #expect(sweep.out.hasPrefix("every cell: consumers 1, messages 3, processing-ns 40000, jitter-ns 50000"), "\(sweep.out)")
    }

    @Test func limitsInProcess() {
        var config = SimulationConfig(strategy: .unsynchronized)
        #expect(SimulationLimits.problem(config) == nil)
        config.latencyBase = Int.max
        #expect(SimulationLimits.problem(config)?.hasPrefix("--latency-ns must be between 0 and 60000000000") == true)
        config = SimulationConfig(strategy: .unsynchronized)
        config.failureRate = 2
        #expect(SimulationLimits.problem(config)?.contains("--failure-rate") == true)
        var sweep = Sweep()
        #expect(sweep.problem == nil)
        sweep.seeds = 0
        #expect(sweep.problem?.hasPrefix("--seeds must be between 1") == true)
        sweep.seeds = 40
        sweep.partitions = Array(repeating: 1, count: 100_000)
        #expect(sweep.problem?.contains("runs (cells × --seeds)") == true)
    }
}
