#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The benchmark cases: sizes, partitions, threads, FIFO, ordered and overlapping, the hard case, a
/// doubling series for linear growth, and the shapes real clients' traces have: fetches (every real
/// consumer reads its offsets), proxy traces of one connection with multi-partition commits (Sarama),
/// many commits in flight (librdkafka's async commits), rebalances that fetch every partition, and a
/// cluster proxy's many small groups with a thread per connection.
public enum BenchmarkSuite {
    public static func cases(quick: Bool) -> [BenchmarkRunner.Case] {
        func synthetic(_ name: String, _ shape: SyntheticTrace) -> BenchmarkRunner.Case {
            BenchmarkRunner.Case(name: name) { shape.generate($0) }
        }
        func proxy(_ name: String, _ shape: ProxyCommitTrace) -> BenchmarkRunner.Case {
            BenchmarkRunner.Case(name: name) { shape.generate($0) }
        }
        func racing(_ keys: Int) -> BenchmarkRunner.Case {
            BenchmarkRunner.Case(name: "keys-racing-\(keys)") { RacingKeysTrace(keys: keys).generate($0) }
        }
        func fleet(_ name: String, _ shape: ProxyFleetTrace, arguments: [String] = []) -> BenchmarkRunner.Case {
            BenchmarkRunner.Case(name: name, arguments: arguments) { shape.generate($0) }
        }
        if quick {
            return [
                synthetic("ordered-10k", SyntheticTrace(events: 10_000)),
                synthetic("ordered-100k", SyntheticTrace(events: 100_000)),
                synthetic("ordered-100k-fetch-1pct", SyntheticTrace(events: 100_000, fetchShare: 0.01)),
                synthetic("overlap-100k", SyntheticTrace(events: 100_000, overlap: 4)),
                BenchmarkRunner.Case(name: "hard-2k-one-key") { OverlappingCommits(commits: 2_000).generate($0) },
                proxy("proxy-sarama-8p-50m", ProxyCommitTrace(partitions: 8, messages: 50)),
                racing(2_000),
            ] + realTraces()
        }
        return [
            proxy("proxy-sarama-8p-50m", ProxyCommitTrace(partitions: 8, messages: 50)),
            proxy("proxy-sarama-8p-5000m", ProxyCommitTrace(partitions: 8, messages: 5_000)),
            proxy("proxy-async-8p-5000m-inflight-64", ProxyCommitTrace(partitions: 8, messages: 5_000, inFlight: 64)),
            proxy("proxy-rebalance-32p-2000m-100r", ProxyCommitTrace(partitions: 32, messages: 2_000, rebalances: 100)),
            synthetic("ordered-1m-fetch-1pct", SyntheticTrace(events: 1_000_000, fetchShare: 0.01)),
            fleet("proxy-fleet-1m", ProxyFleetTrace(events: 1_000_000)),
            // The same trace on the streaming path: the 2 GB case's per-event rate at a size a suite runs.
            fleet("proxy-fleet-1m-stream", ProxyFleetTrace(events: 1_000_000), arguments: ["--stream", "on"]),
            // The same shape with exactly-once groups: 52% of the groups commit in transactions,
            // which is 30% of the commits (a transaction takes 5 lines to a plain commit's 2).
            fleet("proxy-fleet-1m-txn30", ProxyFleetTrace(events: 1_000_000, transactionalShare: 0.52)),
            synthetic("ordered-1m-fetch-10pct", SyntheticTrace(events: 1_000_000, fetchShare: 0.10)),
            synthetic("ordered-1m-fifo-fetch-1pct", SyntheticTrace(events: 1_000_000, connectionFIFO: true, fetchShare: 0.01)),
            synthetic("ordered-1m-rebalance-5000", SyntheticTrace(events: 1_000_000, rebalanceEvery: 5_000)),
            synthetic("fetch-series-125k", SyntheticTrace(events: 125_000, fetchShare: 0.01)),
            synthetic("fetch-series-250k", SyntheticTrace(events: 250_000, fetchShare: 0.01)),
            synthetic("fetch-series-500k", SyntheticTrace(events: 500_000, fetchShare: 0.01)),
            // Many groups, a thread per connection, every key possible: linear in the keys.
            racing(500), racing(1_000), racing(2_000), racing(4_000),

            synthetic("ordered-10k", SyntheticTrace(events: 10_000)),
            synthetic("ordered-100k", SyntheticTrace(events: 100_000)),
            synthetic("ordered-1m-1000p", SyntheticTrace(events: 1_000_000)),
            synthetic("ordered-1m-fifo", SyntheticTrace(events: 1_000_000, connectionFIFO: true)),
            synthetic("ordered-100k-1p-1t", SyntheticTrace(events: 100_000, partitions: 1, threads: 1)),
            synthetic("ordered-100k-1000p-64t", SyntheticTrace(events: 100_000, threads: 64)),
            synthetic("overlap-100k", SyntheticTrace(events: 100_000, overlap: 4)),
            synthetic("overlap-100k-fifo-no-ts", SyntheticTrace(events: 100_000, connectionFIFO: true, overlap: 4, timestamps: false)),
            BenchmarkRunner.Case(name: "hard-10k-one-key") { OverlappingCommits(commits: 10_000).generate($0) },
            synthetic("series-125k", SyntheticTrace(events: 125_000)),
            synthetic("series-250k", SyntheticTrace(events: 250_000)),
            synthetic("series-500k", SyntheticTrace(events: 500_000)),
            synthetic("series-1m", SyntheticTrace(events: 1_000_000)),
        ] + realTraces()
    }

    /// Cases too big for a suite run, measured only when named (`bench --case proxy-fleet-2gb`):
    /// a 2 GB proxy trace of 1,000 groups that the streaming path verifies in bounded memory.
    public static var onDemand: [BenchmarkRunner.Case] { [
        BenchmarkRunner.Case(name: "proxy-fleet-2gb", arguments: ["--stream", "on"]) {
            ProxyFleetTrace(events: 16_000_000, staleEvery: 2_000_000).generate($0)
        },
    ] }

    /// Real clients' recordings as cases, when a folder of them is at hand: `COMMITCHECK_REAL_TRACES`,
    /// else `../shared/real-traces` (the project's shared data; a user's clone has none, and then
    /// there are no such cases).
    static func realTraces() -> [BenchmarkRunner.Case] {
        let folder = ProcessInfo.processInfo.environment["COMMITCHECK_REAL_TRACES"] ?? "../shared/real-traces"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        return names.filter { $0.hasSuffix(".jsonl") && !$0.contains("clientbuild") }.sorted().map { name in
            BenchmarkRunner.Case(name: "real-" + name.dropLast(6)) { write in
                if let text = try? String(contentsOfFile: folder + "/" + name, encoding: .utf8) { write(text) }
            }
        }
    }
}
