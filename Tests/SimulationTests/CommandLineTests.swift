import CommitCheckTestSupport
import Foundation
import Testing
@testable import CommitCheckTool
@testable import Simulation

/// `simulate` and `analyze` refuse absurd numbers with a message naming the option and exit 2
/// (issue 17, items 2, 3 and 9): parsing and validation are checked in-process on the command
/// types, what the run itself prints on the built executable.
@Suite struct CommandLineTests {
    /// Runs the built `commitcheck` to its end (60 s at most: a hang fails the test).
    static func run(_ arguments: [String]) throws -> ProcessResult {
        try ProcessRunner.commitcheck(arguments, timeout: 60)
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
        let outcome = CommandLineOutcome(CommitCheckCommand.self, line.arguments)
        #expect(outcome.exitCode == 2, "\(line): \(outcome)")
        #expect(outcome.message.contains(line.names), "\(line): \(outcome)")
        #expect(!outcome.message.contains("Missing value"), "\(line): \(outcome)")
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
        let help = CommitCheckCommand.helpMessage(for: SimulateCommand.self)
        #expect(help.contains("--messages") && !help.contains("--commits"), "\(help)")
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
