import ArgumentParser
import Simulation

extension CommitStrategy: ExpressibleByArgument {}

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Write the trace of a simulated Sarama-style consumer group (deterministic for a seed)."
    )

    @Option(help: "unsynchronized (Sarama < 1.43.3), commit-mutex (PR #2941), broker-lock (v1.43.3), auto-commit.")
    var strategy: CommitStrategy

    @Option(help: "Partitions per consumer.") var partitions = 4
    @Option(help: "Consumer processes.") var consumers = 1
    @Option(help: "Messages each partition processes (commits follow from --commit-every).") var commits = 20
    @Option(name: .customLong("commit-every"), help: "Manual strategies commit after this many messages of a partition.") var commitEvery = 1
    @Option(name: .customLong("processing-ns"), help: "Mean processing time per message.") var processing = 300
    @Option(name: .customLong("latency-ns"), help: "Base network latency.") var latency = 200
    @Option(name: .customLong("jitter-ns"), help: "Mean of the exponential latency tail.") var jitter = 400
    @Option(name: .customLong("lookup-ns"), help: "Coordinator lookup time.") var lookup = 300
    @Option(name: .customLong("interval-ns"), help: "Auto-commit interval.") var interval = 5_000
    @Option(name: .customLong("failure-rate"), help: "Share of commit requests the broker rejects.") var failureRate = 0.0
    @Option(name: .customLong("timeout-ns"), help: "Request timeout; timed-out commits get no ack.") var timeout = 1_000_000
    @Flag(name: .customLong("no-timestamps"), help: "Record no ts (a recorder without a fine clock).") var noTimestamps = false
    @Option(help: "Random seed: the same seed gives a byte-identical trace.") var seed: UInt64 = 1
    @Option(help: "Write the trace here instead of standard output.") var out: String?

    func validate() throws {
        if partitions < 1 || consumers < 1 || commits < 1 || commitEvery < 1 { throw ValidationError("counts must be at least 1") }
        if !(0...1).contains(failureRate) { throw ValidationError("--failure-rate is a share between 0 and 1") }
    }

    func run() throws {
        var config = SimulationConfig(strategy: strategy)
        config.partitions = partitions
        config.consumers = consumers
        config.messages = commits
        config.commitEvery = commitEvery
        config.processingTime = processing
        config.latencyBase = latency
        config.latencyJitter = jitter
        config.lookupTime = lookup
        config.autoCommitInterval = interval
        config.failureRate = failureRate
        config.requestTimeout = timeout
        config.timestamps = !noTimestamps
        config.seed = seed
        let (trace, truth) = ConsumerGroupSimulator.run(config)
        if let out { try FileOutput.write(trace, to: out) } else { FileOutput.standardOutput(trace) }
        let regressions = truth.regressions.sorted { $0.key < $1.key }.map { "\($0.key) by \($0.value)" }
        FileOutput.standardError("simulated \(truth.requests) commit requests; broker truth: "
            + (regressions.isEmpty ? "no regression\n" : "regressed \(regressions.joined(separator: ", "))\n"))
    }
}
