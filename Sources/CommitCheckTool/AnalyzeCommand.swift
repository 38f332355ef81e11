import ArgumentParser
import Foundation
import Simulation

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Sweep simulated commit strategies, or summarise recorded traces.",
        discussion: """
        Without trace files: simulate every combination of the lists below with --seeds runs each, verify
        every trace, and report per cell the share of runs that really regressed, that were possible,
        that were violated, the mean regression size and the verification time (table; --out DIR also
        writes sweep.csv, sweep.json and SVG charts). With trace files: verdict counts per key,
        regression sizes and how much the commits overlap.
        """
    )

    @Argument(help: "Recorded traces to summarise (omit to run a sweep).") var traces: [String] = []
    @Option(help: "Comma-separated strategies.") var strategies = CommitStrategy.allCases.map(\.rawValue).joined(separator: ",")
    @Option(help: "Comma-separated partitions per consumer.") var partitions = "1,2,4,8"
    @Option(name: .customLong("commit-every"), help: "Comma-separated commit frequencies (messages per commit).") var commitEvery = "1,4"
    @Option(name: .customLong("latency-ns"), help: "Comma-separated base latencies.") var latency = "200,800"
    @Option(help: "Seeds (runs) per cell.") var seeds = 40
    @Flag(name: .customLong("no-timestamps"), help: "Simulate recorders without a fine clock (only program order and FIFO).") var noTimestamps = false
    @Option(help: "Messages per partition per run.") var messages = 12
    @Option(help: "Per-key solver budget in seconds; keys past it count as unknown.") var timeout = 2.0
    @Option(help: "Write sweep.csv, sweep.json, regression-by-partitions.svg, regression-by-commit-frequency.svg, regression-by-latency.svg here.") var out: String?

    func validate() throws {
        if seeds < 1 || messages < 1 { throw ValidationError("--seeds and --messages must be at least 1") }
        _ = try sweep()
    }

    func sweep() throws -> Sweep {
        func numbers(_ text: String, _ name: String) throws -> [Int] {
            let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else { throw ValidationError("--\(name) takes positive numbers separated by commas") }
            return values.map { $0! }
        }
        var sweep = Sweep()
        sweep.strategies = try strategies.split(separator: ",").map {
            guard let strategy = CommitStrategy(rawValue: String($0)) else { throw ValidationError("unknown strategy '\($0)'") }
            return strategy
        }
        sweep.partitions = try numbers(partitions, "partitions")
        sweep.commitEvery = try numbers(commitEvery, "commit-every")
        sweep.latencies = try numbers(latency, "latency-ns")
        sweep.seeds = seeds
        sweep.messages = messages
        sweep.timestamps = !noTimestamps
        sweep.timeout = timeout
        return sweep
    }

    func run() throws {
        if !traces.isEmpty {
            var summaries: [TraceAnalysis.Summary] = []
            for trace in traces {
                do { summaries.append(try TraceAnalysis.analyze(path: trace)) } catch {
                    FileOutput.standardError("error: \(error)\n")
                    throw ExitCode(2)
                }
            }
            FileOutput.standardOutput(TraceAnalysis.render(summaries))
            return
        }
        let sweep = try self.sweep()
        let interactive = isatty(2) != 0
        let results = sweep.run { done, total in
            guard interactive || done == total || done % max(total / 10, 1) == 0 else { return }
            let width = 30, filled = width * done / total
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            FileOutput.standardError(interactive ? "\r[\(bar)] \(done)/\(total) runs" : "\(done)/\(total) runs\n")
        }
        if interactive { FileOutput.standardError("\n") }
        FileOutput.standardOutput(SweepReport.table(results))
        if let out {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try FileOutput.write(SweepReport.csv(results), to: out + "/sweep.csv")
            try FileOutput.write(SweepReport.json(results), to: out + "/sweep.json")
            try FileOutput.write(SweepReport.chart(results, by: \.partitions, title: "Regressions by partitions per consumer", xLabel: "partitions per consumer"), to: out + "/regression-by-partitions.svg")
            try FileOutput.write(SweepReport.chart(results, by: \.commitEvery, title: "Regressions by commit frequency", xLabel: "messages per commit (1 = commit after every message)"), to: out + "/regression-by-commit-frequency.svg")
            try FileOutput.write(SweepReport.chart(results, by: \.latency, title: "Regressions by network latency", xLabel: "base latency (ns)"), to: out + "/regression-by-latency.svg")
            FileOutput.standardError("wrote \(out)/sweep.csv, sweep.json and three SVG charts\n")
        }
    }
}
