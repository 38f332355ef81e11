import ArgumentParser
import Foundation
import Simulation

extension CommitStrategy: ExpressibleByArgument {}

/// The knobs `simulate` and `analyze` share, one value each; every option parses its value
/// unconditionally so that `--processing-ns -1` reaches the bounds check instead of reading `-1`
/// as a flag.
struct SimulationKnobOptions: ParsableArguments {
    static let defaults = SimulationConfig(strategy: .unsynchronized)

    @Option(parsing: .unconditional, help: "Consumer processes (one connection each).") var consumers = defaults.consumers
    @Option(name: .customLong("processing-ns"), parsing: .unconditional, help: "Mean processing time per message.") var processing = defaults.processingTime
    @Option(name: .customLong("jitter-ns"), parsing: .unconditional, help: "Mean of the exponential tail of one-way latency.") var jitter = defaults.latencyJitter
    @Option(name: .customLong("lookup-ns"), parsing: .unconditional, help: "Mean coordinator lookup time.") var lookup = defaults.lookupTime
    @Option(name: .customLong("broker-ns"), parsing: .unconditional, help: "The broker's time to apply a commit.") var broker = defaults.brokerTime
    @Option(name: .customLong("fetch-wait-ns"), parsing: .unconditional, help: "How long the broker holds a message fetch (Consumer.MaxWaitTime).") var fetchWait = defaults.fetchWait
    @Option(name: .customLong("fetch-gap-ns"), parsing: .unconditional, help: "Mean time between a fetch response and the next fetch asking for the connection.") var fetchGap = defaults.fetchGap
    @Option(name: .customLong("messages-per-fetch"), parsing: .unconditional, help: "Messages per partition one fetch response carries.") var messagesPerFetch = defaults.messagesPerFetch
    @Option(name: .customLong("wake-ns"), parsing: .unconditional, help: "Mean time from a mutex's unlock to the woken goroutine running.") var wake = defaults.wakeLatency
    @Option(name: .customLong("interval-ns"), parsing: .unconditional, help: "Auto-commit interval.") var interval = defaults.autoCommitInterval
    @Option(name: .customLong("failure-rate"), parsing: .unconditional, help: "Share of commit requests the broker rejects.") var failureRate = defaults.failureRate
    @Option(name: .customLong("timeout-ns"), parsing: .unconditional, help: "Request timeout; timed-out commits get no ack.") var timeout = defaults.requestTimeout
    @Flag(name: .customLong("no-timestamps"), help: "Record no ts (a recorder without a fine clock).") var noTimestamps = false

    /// A configuration with these knobs; the caller sets strategy, partitions, messages, commit
    /// frequency, latency and seed.
    func config(strategy: CommitStrategy) -> SimulationConfig {
        var config = SimulationConfig(strategy: strategy)
        config.consumers = consumers
        config.processingTime = processing
        config.latencyJitter = jitter
        config.lookupTime = lookup
        config.brokerTime = broker
        config.fetchWait = fetchWait
        config.fetchGap = fetchGap
        config.messagesPerFetch = messagesPerFetch
        config.wakeLatency = wake
        config.autoCommitInterval = interval
        config.failureRate = failureRate
        config.requestTimeout = timeout
        config.timestamps = !noTimestamps
        return config
    }
}

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Write the trace of a simulated Sarama consumer group (deterministic for a seed).",
        discussion: "Times are nanoseconds of simulated time; the defaults are calibrated against real Sarama v1.43.2 (docs/simulation.md)."
    )

    @Option(help: "unsynchronized (Sarama v1.43.2), commit-mutex (PR #2941), broker-lock (v1.43.3), auto-commit.")
    var strategy: CommitStrategy

    @Option(parsing: .unconditional, help: "Partitions per consumer.") var partitions = SimulationKnobOptions.defaults.partitions
    @Option(parsing: .unconditional, help: "Messages each partition processes (commits follow from --commit-every).") var messages: Int?
    @Option(name: .customLong("commits"), parsing: .unconditional, help: .hidden) var deprecatedCommits: Int?
    @Option(name: .customLong("commit-every"), parsing: .unconditional, help: "Manual strategies commit after this many messages of a partition.") var commitEvery = 1
    @Option(name: .customLong("latency-ns"), parsing: .unconditional, help: "Base one-way network latency.") var latency = SimulationKnobOptions.defaults.latencyBase
    @OptionGroup var knobs: SimulationKnobOptions
    @Option(parsing: .unconditional, help: "Random seed: the same seed gives a byte-identical trace.") var seed: UInt64 = 1
    @Option(help: "Write the trace here instead of standard output.") var out: String?

    /// The configuration the options describe.
    func config() -> SimulationConfig {
        var config = knobs.config(strategy: strategy)
        config.partitions = partitions
        config.messages = messages ?? deprecatedCommits ?? config.messages
        config.commitEvery = commitEvery
        config.latencyBase = latency
        config.seed = seed
        return config
    }

    func validate() throws {
        if messages != nil && deprecatedCommits != nil { throw ValidationError("--commits is the old name of --messages: give one") }
        if let problem = SimulationLimits.problem(config()) { throw ValidationError(problem) }
    }

    func run() throws {
        if deprecatedCommits != nil { FileOutput.standardError("warning: --commits is deprecated; it means --messages (messages per partition)\n") }
        let progress = TerminalProgress.counting("messages")
        let (trace, truth) = ConsumerGroupSimulator.run(config(), progress: progress.map { reporter in { reporter.update($0, $1) } })
        progress?.finish()
        if let out { try FileOutput.write(trace, to: out) } else { FileOutput.standardOutput(trace) }
        let regressions = truth.regressions.sorted { $0.key < $1.key }.map { "\($0.key) by \($0.value)" }
        FileOutput.standardError("simulated \(truth.requests) commit requests; broker truth: "
            + (regressions.isEmpty ? "no regression\n" : "regressed \(regressions.joined(separator: ", "))\n"))
    }
}
