/// The cases of issue 8: sizes, partitions, threads, FIFO, ordered and overlapping, the hard case,
/// and a doubling series for linear growth.
public enum BenchmarkSuite {
    public static func cases(quick: Bool) -> [BenchmarkRunner.Case] {
        func synthetic(_ name: String, _ shape: SyntheticTrace) -> BenchmarkRunner.Case {
            BenchmarkRunner.Case(name: name) { shape.generate($0) }
        }
        if quick {
            return [
                synthetic("ordered-10k", SyntheticTrace(events: 10_000)),
                synthetic("ordered-100k", SyntheticTrace(events: 100_000)),
                synthetic("overlap-100k", SyntheticTrace(events: 100_000, overlap: 4)),
                BenchmarkRunner.Case(name: "hard-2k-one-key") { OverlappingCommits(commits: 2_000).generate($0) },
            ]
        }
        return [
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
        ]
    }
}
