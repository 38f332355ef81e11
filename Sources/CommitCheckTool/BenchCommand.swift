import ArgumentParser
import Foundation
import Workloads
import RegisterHistories
import Dispatch

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure verify on generated traces: wall time, events/s, peak memory, engines, Z3 time.",
        // The generated usage lists every option on one line, past 80 columns.
        usage: "commitcheck bench [<options>]",
        discussion: """
        Build in release first for meaningful figures:

            swift build -c release && .build/release/commitcheck bench
        """
    )

    @Flag(help: "A small set of cases (seconds, not minutes).")
    var quick = false

    @Option(parsing: .unconditional, help: "Runs per case (and of the etcd set and --recorder); the median is reported.")
    var runs = 3

    @Option(help: "Also write the results as JSON here.")
    var json: String?

    @Option(help: "Porcupine's etcd histories, timed as a set (skipped when the folder is missing).")
    var etcd = "../shared/peer-histories/porcupine-etcd"

    @Flag(help: "Only time the etcd register histories.")
    var etcdOnly = false

    @Flag(help: "Only measure the recorder's cost per event (CommitRecorder, 1 and 4 threads).")
    var recorder = false

    @Option(name: .customLong("case"), help: ArgumentHelp("Only measure these cases (names from the table; repeatable).", valueName: "case"))
    var cases: [String] = []

    @Option(help: ArgumentHelp("Only write the trace of this case (a name from the table) to --to, and stop.", valueName: "case"))
    var generate: String?

    @Option(help: ArgumentHelp("Where --generate writes.", valueName: "file"))
    var to: String?

    func validate() throws {
        if runs < 1 { throw ValidationError("--runs must be at least 1") }
        if (generate == nil) != (to == nil) { throw ValidationError("--generate and --to go together") }
        for name in cases where BenchmarkRunner.benchmarkCase(named: name) == nil {
            throw ValidationError("--case: no case '\(name)'; cases: \(BenchmarkRunner.caseNames.joined(separator: ", "))")
        }
        if let generate, BenchmarkRunner.benchmarkCase(named: generate) == nil {
            throw ValidationError("--generate: no case '\(generate)'; cases: \(BenchmarkRunner.caseNames.joined(separator: ", "))")
        }
    }

    func run() throws {
        if let generate, let to {
            guard let benchmark = BenchmarkRunner.benchmarkCase(named: generate) else { return }
            guard let file = fopen(to, "w") else { throw FileOutput.failure("cannot write \(to): \(String(cString: strerror(errno)))") }
            benchmark.write { fputs($0, file) }
            if fclose(file) != 0 { throw FileOutput.failure("cannot write \(to): \(String(cString: strerror(errno)))") }
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("commitcheck-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        if recorder { return try timeRecorder(directory: directory) }
        // Progress overwrites one line on a terminal; redirected, stderr gets no control codes.
        let terminal = TerminalProgress.isTerminal
        let runner = BenchmarkRunner(executable: executable, directory: directory, runs: runs) { message in
            if terminal { FileOutput.standardError("\r\u{1B}[K\(message)") }
        }
        if FileManager.default.fileExists(atPath: etcd + "/EXPECTED.tsv") {
            try timeEtcd()
        } else if etcdOnly {
            throw FileOutput.failure("--etcd-only: the etcd histories are not there: \(etcd)/EXPECTED.tsv is missing (Porcupine's histories live in ../shared/peer-histories; --etcd names another folder)")
        } else {
            FileOutput.standardError("bench: etcd set skipped: \(etcd) is missing (a clone without ../shared beside it)\n")
        }
        if etcdOnly { return }
        var results: [BenchmarkResult] = []
        let header = "case                          events   wall s   events/s   peak MB  parse MB/s  graph   z3   z3 s  verdict"
        FileOutput.standardOutput(header + "\n")
        let selected = cases.isEmpty ? BenchmarkSuite.cases(quick: quick) : cases.compactMap(BenchmarkRunner.benchmarkCase(named:))
        for benchmark in selected {
            let result = try runner.run(benchmark)
            results.append(result)
            if terminal { FileOutput.standardError("\r\u{1B}[K") }
            FileOutput.standardOutput(Self.row(result) + "\n")
        }
        // The parsing reference is the largest mostly-ordered trace of the run (1M events in a full
        // run, 100k with --quick): orjson reads it line by line in the same run.
        let referenceName = results.contains { $0.name == "ordered-1m-1000p" } ? "ordered-1m-1000p" : "ordered-100k"
        if let reference = selected.first(where: { $0.name == referenceName }),
           let orjson = BenchmarkRunner.orjsonRate(of: reference, directory: directory),
           let ours = results.first(where: { $0.name == reference.name })?.parseMegabytesPerSecond {
            FileOutput.standardOutput(String(format: "parsing %@: commitcheck %.0f MB/s, orjson line by line %.0f MB/s (ratio %.2f)\n",
                                             reference.name, ours, orjson, ours / orjson))
        }
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try FileOutput.write(String(decoding: try encoder.encode(results), as: UTF8.self) + "\n", to: json)
        }
    }

    /// Parses and checks every labelled etcd history, `runs` times; prints the median and the matches.
    func timeEtcd() throws {
        let expected = try String(contentsOfFile: etcd + "/EXPECTED.tsv", encoding: .utf8).split(separator: "\n")
            .map { $0.split(separator: "\t") }.filter { $0.count == 2 }
        var times: [Double] = []
        var matched = 0
        for _ in 0..<runs {
            matched = 0
            let started = DispatchTime.now().uptimeNanoseconds
            for row in expected {
                let history = try RegisterHistoryCheck.read(path: etcd + "/" + row[0], source: .porcupineEtcd, model: .casRegister, initial: nil)
                let linearizable = LinearizabilityChecker(history: history).check() == .linearizable
                if linearizable == (row[1] == "linearizable") { matched += 1 }
            }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
        }
        let median = times.sorted()[times.count / 2]
        FileOutput.standardOutput(String(format: "porcupine etcd set: %d/%d histories match EXPECTED.tsv; parse + check all: median %.3f s of %d runs\n",
                                         matched, expected.count, median, times.count))
    }

    /// Prints the recorder's cost per event, uncontended and with four threads on one recorder.
    func timeRecorder(directory: String) throws {
        let benchmark = RecorderBenchmark(eventsPerThread: quick ? 90_000 : 900_000, runs: runs, directory: directory)
        var results: [RecorderBenchmark.Result] = []
        for threads in [1, 4] {
            let result = try benchmark.run(threads: threads)
            results.append(result)
            FileOutput.standardOutput(String(format: "recorder: %d thread(s), %d events: %.0f ns/event, %.2f M events/s (median of %d, incl. close+fsync)\n",
                                             threads, result.events, result.nanosecondsPerEvent, result.eventsPerSecond / 1e6, benchmark.runs))
        }
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try FileOutput.write(String(decoding: try encoder.encode(results), as: UTF8.self) + "\n", to: json)
        }
    }

    static func row(_ r: BenchmarkResult) -> String {
        func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
            let padding = String(repeating: " ", count: max(0, width - text.count))
            return left ? text + padding : padding + text
        }
        return pad(r.name, 26, left: true) + pad(String(r.events), 10) + pad(String(format: "%.2f", r.wallSeconds), 9)
            + pad(String(format: "%.0f", r.eventsPerSecond), 11) + pad(String(format: "%.0f", r.peakMegabytes), 10)
            + pad(String(format: "%.0f", r.parseMegabytesPerSecond), 12) + pad(String(r.keysByGraph), 7)
            + pad(String(r.keysByZ3), 5) + pad(String(format: "%.2f", r.z3Seconds), 7) + "  " + r.verdict
    }
}
