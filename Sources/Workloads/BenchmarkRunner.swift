import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One measured benchmark case.
public struct BenchmarkResult: Codable, Sendable {
    public var name: String
    public var events: Int
    public var bytes: Int
    /// Median wall time of `commitcheck verify` in a child process.
    public var wallSeconds: Double
    public var eventsPerSecond: Double
    public var peakMegabytes: Double
    public var parseMegabytesPerSecond: Double
    public var keysByGraph: Int
    public var keysByZ3: Int
    public var z3Seconds: Double
    public var verdict: String
    public var runs: [Double]
}

/// Runs benchmark cases: generate a trace, verify it in a child process several times, measure.
///
/// A child process per run gives honest peak memory (the kernel's maximum resident set of that
/// process) and wall time that includes start-up and reading the file, as a user sees it.
public struct BenchmarkRunner {
    public var executable: String
    public var directory: String
    public var runs: Int
    public var progress: (String) -> Void

    public init(executable: String, directory: String, runs: Int, progress: @escaping (String) -> Void) {
        self.executable = executable
        self.directory = directory
        self.runs = runs
        self.progress = progress
    }

    /// A case: a name and how to write its trace.
    public struct Case {
        public var name: String
        /// Options `verify` gets for this case beyond the common ones (`--stream on`, say).
        public var arguments: [String]
        public var write: ((String) -> Void) -> Void
        public init(name: String, arguments: [String] = [], write: @escaping ((String) -> Void) -> Void) {
            self.name = name
            self.arguments = arguments
            self.write = write
        }
    }

    public func run(_ benchmark: Case, extraArguments: [String] = []) throws -> BenchmarkResult {
        let path = directory + "/" + benchmark.name.map { $0.isLetter || $0.isNumber ? $0 : "-" } + ".jsonl"
        guard let file = fopen(path, "w") else { throw CocoaError(.fileWriteUnknown) }
        var events = 0
        benchmark.write { chunk in
            fputs(chunk, file)
            events += chunk.utf8.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        }
        fclose(file)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        var walls: [Double] = []
        var peak = 0.0
        var last: [String: Any] = [:]
        for index in 0..<runs {
            progress("\(benchmark.name): run \(index + 1)/\(runs)")
            let outcome = try Self.measure(executable, ["verify", "--format", "json", "--minimize-timeout", "1"] + benchmark.arguments + extraArguments + [path])
            walls.append(outcome.seconds)
            peak = max(peak, outcome.peakMegabytes)
            last = (try? JSONSerialization.jsonObject(with: outcome.output) as? [String: Any]) ?? [:]
        }
        try? FileManager.default.removeItem(atPath: path)
        let statistics = last["statistics"] as? [String: Any] ?? [:]
        let wall = walls.sorted()[walls.count / 2]
        let parse = statistics["parseSeconds"] as? Double ?? 0
        return BenchmarkResult(
            name: benchmark.name, events: events, bytes: bytes, wallSeconds: wall,
            eventsPerSecond: Double(events) / wall, peakMegabytes: peak,
            parseMegabytesPerSecond: parse > 0 ? Double(bytes) / 1e6 / parse : 0,
            keysByGraph: statistics["keysByGraph"] as? Int ?? 0, keysByZ3: statistics["keysByZ3"] as? Int ?? 0,
            z3Seconds: statistics["z3Seconds"] as? Double ?? 0, verdict: last["verdict"] as? String ?? "error", runs: walls)
    }

    /// The case of this name from the full suite or the quick one (`--quick` has cases of its own,
    /// such as `hard-2k-one-key`, that `--generate` must find too).
    public static func benchmarkCase(named name: String) -> Case? {
        (BenchmarkSuite.cases(quick: false) + BenchmarkSuite.cases(quick: true) + BenchmarkSuite.onDemand).first { $0.name == name }
    }

    /// Every case name of both suites, each once, for messages.
    public static var caseNames: [String] {
        var names: [String] = []
        for benchmark in BenchmarkSuite.cases(quick: false) + BenchmarkSuite.cases(quick: true) + BenchmarkSuite.onDemand where !names.contains(benchmark.name) {
            names.append(benchmark.name)
        }
        return names
    }

    /// Runs a command, returning its wall time, peak resident memory and standard output.
    package static func measure(_ executable: String, _ arguments: [String]) throws -> (seconds: Double, peakMegabytes: Double, output: Data) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("commitcheck-bench-\(getpid()).json").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let started = DispatchTime.now().uptimeNanoseconds
        guard posix_spawn(&pid, executable, &actions, nil, argv, environ) == 0 else { throw CocoaError(.executableNotLoadable) }
        var status: Int32 = 0
        var usage = rusage()
        // The kernel's maximum resident set of a spawned child starts from this process's own
        // (posix_spawn shares our memory until the exec), so a small case would report the
        // benchmark's size. The child's own high-water mark (VmHWM, of its memory after the exec)
        // is read while it runs instead, every few milliseconds.
        var highWater = 0
        while wait4(pid, &status, WNOHANG, &usage) == 0 {
            highWater = max(highWater, Self.highWaterKilobytes(of: pid))
            usleep(2_000)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let data = (try? Data(contentsOf: URL(fileURLWithPath: output))) ?? Data()
        try? FileManager.default.removeItem(atPath: output)
        return (seconds, Double(highWater > 0 ? highWater : usage.ru_maxrss) / 1024, data)
    }

    /// A running process's VmHWM in kB from /proc (0 where there is none: not Linux, or exited).
    static func highWaterKilobytes(of pid: pid_t) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first { !$0.isEmpty }.map(String.init) ?? "") ?? 0
    }

    /// orjson's line-by-line parsing rate on a file, in MB/s (the reference the issue names), or nil.
    public static func orjsonRate(of trace: Case, directory: String) -> Double? {
        let path = directory + "/orjson-reference.jsonl"
        guard let file = fopen(path, "w") else { return nil }
        trace.write { fputs($0, file) }
        fclose(file)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let script = """
        import sys, time, os
        import orjson
        path = sys.argv[1]
        best = None
        for _ in range(3):
            t = time.perf_counter()
            with open(path, 'rb') as f:
                for line in f:
                    orjson.loads(line)
            d = time.perf_counter() - t
            best = d if best is None else min(best, d)
        print(os.path.getsize(path) / 1e6 / best)
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return Double(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
