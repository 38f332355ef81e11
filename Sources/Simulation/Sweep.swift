import CommitCheck
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// A grid of simulation settings, each run with several seeds and verified.
public struct Sweep: Sendable {
    public var strategies: [CommitStrategy] = CommitStrategy.allCases
    public var partitions: [Int] = [1, 2, 4, 8]
    public var commitEvery: [Int] = [1, 4]
    public var latencies: [Int] = [200, 800]
    public var seeds = 10
    public var messages = 12
    public var timestamps = true
    /// Per-key solver budget in seconds (traces without timestamps can leave many orders to Z3).
    public var timeout: Double = 2

    public init() {}

    /// One cell of the grid.
    public struct Cell: Hashable, Sendable, Codable {
        public var strategy: String
        public var partitions: Int
        public var commitEvery: Int
        public var latency: Int
    }

    /// What the runs of one cell showed.
    public struct CellResult: Sendable, Codable {
        public var cell: Cell
        public var runs: Int
        /// Share of runs whose broker truth regressed.
        public var regressed: Double
        /// Share of runs with a `possible` key (and no `violated` one).
        public var possible: Double
        /// Share of runs with a `violated` key.
        public var violated: Double
        /// Share of runs with a key past the timeout.
        public var unknown: Double
        /// Mean largest drop over regressed runs (offsets re-consumed after a restart).
        public var meanRegressionSize: Double
        /// Mean verification time per run, in milliseconds.
        public var verifyMilliseconds: Double
    }

    public var cells: [Cell] {
        strategies.flatMap { strategy in partitions.flatMap { p in commitEvery.flatMap { c in latencies.map { l in
            Cell(strategy: strategy.rawValue, partitions: p, commitEvery: c, latency: l)
        } } } }
    }

    /// Runs every cell × seed on all cores; `progress` gets (done, total).
    public func run(progress: @escaping @Sendable (Int, Int) -> Void) -> [CellResult] {
        let cells = self.cells
        let total = cells.count * seeds
        let outcomes = RunSlots(count: total)
        let sweep = self
        DispatchQueue.concurrentPerform(iterations: total) { job in
            let cell = cells[job / sweep.seeds]
            var config = SimulationConfig(strategy: CommitStrategy(rawValue: cell.strategy)!)
            config.partitions = cell.partitions
            config.commitEvery = cell.commitEvery
            config.latencyBase = cell.latency
            config.latencyJitter = cell.latency * 2
            config.messages = sweep.messages
            config.timestamps = sweep.timestamps
            config.seed = UInt64(job % sweep.seeds + 1)
            let (trace, truth) = ConsumerGroupSimulator.run(config)
            let started = DispatchTime.now().uptimeNanoseconds
            var options = VerifyOptions(timeout: sweep.timeout)
            options.minimize = false
            options.jobs = 1
            let verdicts = ((try? TraceReader().read(bytes: Array(trace.utf8))).flatMap { try? Verifier(options: options).verify(history: $0) })?
                .keys.map(\.verdict) ?? [.unknown]
            let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
            outcomes.store(job, (truth.regressions.values.max(), verdicts.contains(.violated), verdicts.contains(.possible),
                                 verdicts.contains(.unknown), milliseconds))
            progress(outcomes.done, total)
        }
        let all = outcomes.all
        return cells.enumerated().map { index, cell in
            let runs = all[(index * seeds)..<((index + 1) * seeds)]
            let regressed = runs.compactMap { $0.drop }
            return CellResult(
                cell: cell, runs: runs.count,
                regressed: Double(regressed.count) / Double(runs.count),
                possible: Double(runs.filter { $0.possible && !$0.violated }.count) / Double(runs.count),
                violated: Double(runs.filter(\.violated).count) / Double(runs.count),
                unknown: Double(runs.filter(\.unknown).count) / Double(runs.count),
                meanRegressionSize: regressed.isEmpty ? 0 : Double(regressed.reduce(0, +)) / Double(regressed.count),
                verifyMilliseconds: runs.map(\.milliseconds).reduce(0, +) / Double(runs.count))
        }
    }
}

/// Results of parallel runs, each written into its own slot.
final class RunSlots: @unchecked Sendable {
    typealias Outcome = (drop: Int?, violated: Bool, possible: Bool, unknown: Bool, milliseconds: Double)
    private var slots: [Outcome?]
    private var finished = 0
    private var mutex = pthread_mutex_t()

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
        pthread_mutex_init(&mutex, nil)
    }

    func store(_ index: Int, _ outcome: Outcome) {
        pthread_mutex_lock(&mutex)
        slots[index] = outcome
        finished += 1
        pthread_mutex_unlock(&mutex)
    }

    var done: Int {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return finished
    }

    var all: [Outcome] {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return slots.map { $0! }
    }
}
