import ArgumentParser
import Foundation
import Simulation

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Sweep simulated commit strategies, or summarise recorded traces.",
        // One line per paragraph: argument-parser wraps to the terminal; a hard break would break a sentence.
        discussion: """
        Without trace files: simulate every combination of the lists below with --seeds runs each, verify \
        every trace, and report per cell the share of runs whose committed offset really went back at \
        the simulated broker (the ground truth), how often it did per run, the share that ended on a \
        wrong final offset, the drops, the verdict shares and the verification time. The table's first \
        line names every knob shared by all cells; CSV and JSON (--out DIR: sweep.csv, sweep.json and SVG \
        charts) carry every knob per cell.

        With trace files: verdict counts per key, regression sizes, and the share of neighbouring \
        commit pairs open: pairs of commits of one key, next to each other in trace order, that \
        nothing in the history orders (program order, FIFO, acks), so the checker must consider both \
        apply orders.
        """
    )

    @Argument(help: "Recorded traces to summarise (omit to run a sweep).") var traces: [String] = []
    @Option(help: "Comma-separated strategies.") var strategies = CommitStrategy.allCases.map(\.rawValue).joined(separator: ",")
    @Option(parsing: .unconditional, help: "Comma-separated partitions per consumer.") var partitions = "1,2,4,8"
    @Option(name: .customLong("commit-every"), parsing: .unconditional, help: "Comma-separated commit frequencies (messages per commit).") var commitEvery = "1,4"
    @Option(name: .customLong("latency-ns"), parsing: .unconditional, help: "Comma-separated base one-way latencies.") var latency = "150000,600000"
    @Option(parsing: .unconditional, help: "Seeds (runs) per cell.") var seeds = 40
    @Option(parsing: .unconditional, help: "Messages per partition per run.") var messages = SimulationKnobOptions.defaults.messages
    @OptionGroup var knobs: SimulationKnobOptions
    @Option(parsing: .unconditional, help: "Per-key solver budget in seconds; keys past it count as unknown.") var timeout = 2.0
    @Flag(name: .customLong("no-verify"), help: "Measure the simulated broker's truth only; leave the verdict columns at 0.") var noVerify = false
    @Option(help: "Write sweep.csv, sweep.json, regression-by-partitions.svg, regression-by-commit-frequency.svg, regression-by-latency.svg here.") var out: String?

    func validate() throws {
        if !(timeout > 0) { throw ValidationError("--timeout must be a positive number of seconds") }
        let sweep = try self.sweep()
        if traces.isEmpty, let problem = sweep.problem { throw ValidationError(problem) }
    }

    func sweep() throws -> Sweep {
        func numbers(_ text: String, _ name: String) throws -> [Int] {
            let values = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { throw ValidationError("--\(name) takes whole numbers separated by commas, not '\(text)'") }
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
        sweep.base = knobs.config(strategy: .unsynchronized)
        sweep.base.messages = messages
        sweep.timeout = timeout
        sweep.verify = !noVerify
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
        let progress = TerminalProgress.counting("runs")
        let results: [Sweep.CellResult]
        do {
            results = try sweep.run { done, total in progress?.update(done, total) }
        } catch {
            progress?.finish()
            FileOutput.standardError("error: \(error)\n")
            throw ExitCode(2)
        }
        progress?.finish()
        FileOutput.standardOutput(SweepReport.table(results))
        if let out {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try FileOutput.write(SweepReport.csv(results), to: out + "/sweep.csv")
            try FileOutput.write(SweepReport.json(results), to: out + "/sweep.json")
            try FileOutput.write(SweepReport.chart(results, by: \.partitions, title: "Regressions by partitions per consumer", xLabel: "partitions per consumer"), to: out + "/regression-by-partitions.svg")
            try FileOutput.write(SweepReport.chart(results, by: \.commitEvery, title: "Regressions by commit frequency", xLabel: "messages per commit (1 = commit after every message)"), to: out + "/regression-by-commit-frequency.svg")
            try FileOutput.write(SweepReport.chart(results, by: \.latencyBase, title: "Regressions by network latency", xLabel: "base latency (ns)"), to: out + "/regression-by-latency.svg")
            FileOutput.standardError("wrote \(out)/sweep.csv, sweep.json and three SVG charts\n")
        }
    }
}
