import CommitCheck
import Locking
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// A grid of simulation settings, each run with several seeds and verified.
///
/// Four knobs vary (strategy, partitions, commit frequency, base latency); every other knob is
/// `base`'s, the same in every cell, and each cell carries its full configuration so that reports
/// can print every knob (nothing is derived behind the user's back).
public struct Sweep: Sendable {
    public var strategies: [CommitStrategy] = CommitStrategy.allCases
    public var partitions: [Int] = [1, 2, 4, 8]
    public var commitEvery: [Int] = [1, 4]
    public var latencies: [Int] = [150_000, 600_000]
    public var seeds = 40
    /// Every other knob (messages, jitter, fetch wait, ...), shared by all cells; its strategy,
    /// partitions, commit frequency, latency and seed are replaced per cell and run.
    public var base = SimulationConfig(strategy: .unsynchronized)
    /// Per-key solver budget in seconds (traces without timestamps can leave many orders to Z3).
    public var timeout: Double = 2
    /// Verify every trace; without it the verdict shares are left at zero and only the ground
    /// truth is measured.
    public var verify = true

    /// Runs (cells × seeds) one sweep may ask for, and simulated messages over all of them.
    public static let maxRuns = 100_000
    public static let maxMessages = 50_000_000
    /// Offsets all the runs' build events may carry together (see `SimulationLimits.maxOffsetsPerRun`).
    public static let maxOffsets = 100_000_000

    public init() {}

    /// One cell of the grid: the full configuration of its runs (the seed varies per run).
    public typealias Cell = SimulationConfig

    /// What the runs of one cell showed, measured from the ground truth (regressions, drops,
    /// final offsets) and from the verifier (verdict shares).
    public struct CellResult: Sendable {
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
        /// Mean number of times a committed value went back, per run.
        public var meanRegressions: Double
        /// Share of runs that ended with some key's committed value below its highest.
        public var wrongFinal: Double
        /// Mean largest drop over regressed runs (offsets re-consumed after a restart).
        public var meanRegressionSize: Double
        /// The smallest and largest per-run largest drop over regressed runs (0 when none).
        public var largestDrops: ClosedRange<Int>
        /// Mean verification time per run, in milliseconds.
        public var verifyMilliseconds: Double
    }

    public var cells: [Cell] {
        strategies.flatMap { strategy in partitions.flatMap { p in commitEvery.flatMap { c in latencies.map { l in
            var cell = base
            cell.strategy = strategy
            cell.partitions = p
            cell.commitEvery = c
            cell.latencyBase = l
            cell.seed = 0
            return cell
        } } } }
    }

    /// A message naming the first knob or list out of bounds, or nil.
    public var problem: String? {
        if !(1...Self.maxRuns).contains(seeds) { return "--seeds must be between 1 and \(Self.maxRuns), not \(seeds)" }
        let runs = [strategies.count, partitions.count, commitEvery.count, latencies.count, seeds].map(Double.init).reduce(1, *)
        if runs > Double(Self.maxRuns) { return "the sweep asks for \(Int(min(runs, 1e18))) runs (cells × --seeds); at most \(Self.maxRuns)" }
        if runs == 0 { return "the sweep has no cell: every list needs a value" }
        for cell in cells { if let problem = SimulationLimits.problem(cell) { return problem } }
        let messages = cells.map { $0.partitions * $0.consumers * $0.messages }.reduce(0, +) * seeds
        if messages > Self.maxMessages { return "the sweep asks for \(messages) simulated messages; at most \(Self.maxMessages)" }
        let offsets = cells.map { $0.partitions * $0.consumers * $0.messages / $0.commitEvery * $0.partitions }.reduce(0, +) * seeds
        if offsets > Self.maxOffsets { return "the sweep's traces would carry about \(offsets) offsets (commits × partitions); at most \(Self.maxOffsets)" }
        return nil
    }

    /// A simulated trace the verifier could not read or check: a bug of the simulator or of the
    /// checker, so the sweep stops instead of counting the run as `unknown` (a timeout's verdict).
    public struct VerificationFailure: Error, CustomStringConvertible {
        /// The run's configuration, its seed included.
        public var cell: Cell
        public var underlying: any Error
        public var description: String {
            "the trace of strategy \(cell.strategy.rawValue), partitions \(cell.partitions), commit-every \(cell.commitEvery), "
                + "latency-ns \(cell.latencyBase), seed \(cell.seed) could not be verified: \(underlying)"
        }
    }

    /// The verdicts of every key of a simulated trace; throws what reading or verifying throws.
    static func verdicts(of trace: String, timeout: Double) throws -> [Verdict] {
        var options = VerifyOptions(timeout: timeout)
        options.minimize = false
        options.jobs = 1
        let history = try TraceReader().read(bytes: Array(trace.utf8))
        return try Verifier(options: options).verify(history: history).keys.map(\.verdict)
    }

    /// Runs every cell × seed on all cores; `progress` gets (done, total). Throws the first
    /// `VerificationFailure` once all runs are done.
    public func run(progress: @escaping @Sendable (Int, Int) -> Void) throws -> [CellResult] {
        let cells = self.cells
        let total = cells.count * seeds
        let outcomes = ResultSlots<RunOutcome>(count: total)
        let sweep = self
        DispatchQueue.concurrentPerform(iterations: total) { job in
            var config = cells[job / sweep.seeds]
            config.seed = UInt64(job % sweep.seeds + 1)
            let (trace, truth) = ConsumerGroupSimulator.run(config)
            var verdicts: [Verdict] = []
            var milliseconds = 0.0
            var failure: VerificationFailure?
            if sweep.verify {
                let started = DispatchTime.now().uptimeNanoseconds
                do {
                    verdicts = try Self.verdicts(of: trace, timeout: sweep.timeout)
                } catch {
                    failure = VerificationFailure(cell: config, underlying: error)
                }
                milliseconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
            }
            outcomes.store(job, RunOutcome(
                drop: truth.regressions.values.max(), regressions: truth.regressionCount, wrongFinal: !truth.wrongFinalKeys.isEmpty,
                violated: verdicts.contains(.violated), possible: verdicts.contains(.possible),
                unknown: verdicts.contains(.unknown), milliseconds: milliseconds, failure: failure))
            progress(outcomes.storedCount, total)
        }
        let all = (0..<total).map { outcomes.take($0) }
        if let failure = all.lazy.compactMap(\.failure).first { throw failure }
        return cells.enumerated().map { index, cell in
            let runs = all[(index * seeds)..<((index + 1) * seeds)]
            let count = Double(runs.count)
            let drops = runs.compactMap { $0.drop }
            return CellResult(
                cell: cell, runs: runs.count,
                regressed: Double(drops.count) / count,
                possible: Double(runs.filter { $0.possible && !$0.violated }.count) / count,
                violated: Double(runs.filter(\.violated).count) / count,
                unknown: Double(runs.filter(\.unknown).count) / count,
                meanRegressions: Double(runs.map(\.regressions).reduce(0, +)) / count,
                wrongFinal: Double(runs.filter(\.wrongFinal).count) / count,
                meanRegressionSize: drops.isEmpty ? 0 : Double(drops.reduce(0, +)) / Double(drops.count),
                largestDrops: (drops.min() ?? 0)...(drops.max() ?? 0),
                verifyMilliseconds: runs.map(\.milliseconds).reduce(0, +) / count)
        }
    }
}

/// What one simulated run of a sweep came to.
struct RunOutcome {
    var drop: Int?
    var regressions: Int
    var wrongFinal: Bool
    var violated: Bool
    var possible: Bool
    var unknown: Bool
    var milliseconds: Double
    /// Why the run's trace could not be verified, if it could not.
    var failure: Sweep.VerificationFailure?
}
