/// The result of checking one property of one key.
public struct KeyResult: Codable, Sendable, Equatable {
    /// The consumer group (commit traces).
    public var group: String?
    /// The topic (commit traces).
    public var topic: String?
    /// The partition (commit traces).
    public var partition: Int?
    /// The register's name, for register histories that are not Kafka partitions.
    public var register: String?
    public var property: Property
    public var verdict: Verdict
    /// Why the verdict is what it is, in one sentence (Z3's reason for `unknown`).
    public var reason: String?
    /// Which procedure decided: `graph`, `z3`, `search`, ...
    public var engine: String?
    /// Seconds spent deciding this key.
    public var seconds: Double?
    /// The evidence for `violated` and `possible` (and `holds` with `--explain`).
    public var counterexample: Counterexample?
    /// When re-checking a counterexample file: the verdict this key's sub-history was written for.
    public var expected: Verdict?
    /// When re-checking a counterexample file: the line where this key's sub-history starts.
    public var subHistoryLine: Int?

    public init(
        group: String? = nil, topic: String? = nil, partition: Int? = nil, register: String? = nil,
        property: Property, verdict: Verdict, reason: String? = nil, engine: String? = nil,
        seconds: Double? = nil, counterexample: Counterexample? = nil
    ) {
        self.group = group
        self.topic = topic
        self.partition = partition
        self.register = register
        self.property = property
        self.verdict = verdict
        self.reason = reason
        self.engine = engine
        self.seconds = seconds
        self.counterexample = counterexample
    }

    /// `group topic/partition` or the register's name.
    public var keyDescription: String {
        if let register { return register }
        return "\(group ?? "?") \(topic ?? "?")/\(partition.map(String.init) ?? "?")"
    }
}

/// The evidence behind a verdict, readable by people (``narrative``) and tools (the rest).
public struct Counterexample: Codable, Sendable, Equatable {
    /// One-line summary, e.g. `P0 goes 12 -> 11: commit g1 applied after commit g0-2`.
    public var summary: String
    /// The story in schedule order, one line per step, original line numbers included.
    public var narrative: [String]
    /// Original trace line numbers of the events the evidence rests on, ascending.
    public var lines: [Int]
    /// For a regression: the commit applied first, with the higher offset.
    public var earlierCommit: String?
    /// For a regression: the commit applied later, with the lower offset.
    public var laterCommit: String?
    /// The offset before the regression.
    public var fromOffset: Int?
    /// The offset after the regression.
    public var toOffset: Int?
    /// A witness schedule: point names in order (`send c1`, `apply c1`, ...).
    public var schedule: [String]?
    /// Whether the evidence was shrunk to 1-minimal (false when the budget ran out).
    public var minimal: Bool?
    /// The evidence as a `commitcheck/1` sub-trace that re-verifies to the same verdict.
    public var subTrace: String?
    /// For a regression: the most some consistent schedule loses, as a drawdown (a value the key
    /// held minus a lower one applied later: what a consumer restarting then consumes again).
    public var largestDrop: Int?
    /// For `violated`: the least every consistent schedule loses.
    public var guaranteedDrop: Int?

    public init(
        summary: String, narrative: [String] = [], lines: [Int] = [], earlierCommit: String? = nil,
        laterCommit: String? = nil, fromOffset: Int? = nil, toOffset: Int? = nil,
        schedule: [String]? = nil, minimal: Bool? = nil
    ) {
        self.summary = summary
        self.narrative = narrative
        self.lines = lines
        self.earlierCommit = earlierCommit
        self.laterCommit = laterCommit
        self.fromOffset = fromOffset
        self.toOffset = toOffset
        self.schedule = schedule
        self.minimal = minimal
    }
}

/// Where a run's time went, and which procedure decided how many keys (for `bench` and tuning).
public struct RunStatistics: Codable, Sendable, Equatable {
    public var events: Int = 0
    public var parseSeconds: Double = 0
    public var orderSeconds: Double = 0
    public var decideSeconds: Double = 0
    public var keysByGraph: Int = 0
    public var keysByZ3: Int = 0
    /// Summed over keys decided by Z3 (workers run in parallel, so this can exceed wall time).
    public var z3Seconds: Double = 0
    public init() {}
}

/// Which share of the keys a report covers: shard `index` of `count` (0-based).
public struct Shard: Codable, Sendable, Equatable, CustomStringConvertible {
    public var index: Int
    public var count: Int
    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }
    /// `i/n`, as `--shard` takes it.
    public var description: String { "\(index)/\(count)" }
}

/// The whole result of one `verify` run: the document `--format json` prints.
public struct Report: Codable, Sendable, Equatable {
    /// Always `commitcheck-report/1`.
    public var format: String = "commitcheck-report/1"
    /// The worst verdict over all keys (`holds` when there are none).
    public var verdict: Verdict
    /// The files checked.
    public var traces: [String]
    public var keys: [KeyResult]
    /// Things the user should know that are not verdicts (a cut-off last line, unchecked fetches).
    public var warnings: [String]
    /// Timings and engine counts.
    public var statistics: RunStatistics?
    /// Set when only one shard of the keys was checked (`verify --shard i/n`); `merge` joins the
    /// shards' reports back into one.
    public var shard: Shard?
    /// Which path decided the run (streaming or whole-history, `verify --stream`); absent elsewhere.
    public var path: VerificationPath?

    public init(traces: [String], keys: [KeyResult], warnings: [String] = []) {
        self.traces = traces
        self.keys = keys
        self.warnings = warnings
        self.verdict = keys.map(\.verdict).max() ?? .holds
    }

    /// The exit code for this report under a failure policy.
    public func exitCode(failOn policy: FailurePolicy = .possible) -> ExitCode {
        let verdicts = Set(keys.map(\.verdict))
        if verdicts.contains(.violated) { return .fail }
        if policy == .possible && verdicts.contains(.possible) { return .fail }
        if verdicts.contains(.unknown) { return .unknown }
        return .pass
    }
}
