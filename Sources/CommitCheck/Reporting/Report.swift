/// What a key result is about: one partition of one consumer group, or one named register.
///
/// One case per kind of subject, so that a result cannot name a group without a partition or a
/// partition and a register at once; JSON keeps the flat members `group`, `topic`, `partition` or
/// `register` it always had.
public enum KeySubject: Sendable, Equatable, Hashable {
    /// A Kafka partition of a consumer group (commit traces).
    case partition(group: String, topic: String, partition: Int)
    /// A register of a `--from jepsen|porcupine-etcd` history.
    case register(String)
}

/// The result of checking one property of one key.
public struct KeyResult: Codable, Sendable, Equatable {
    /// The partition or register the verdict is about.
    public var subject: KeySubject
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
        subject: KeySubject, property: Property, verdict: Verdict, reason: String? = nil, engine: String? = nil,
        seconds: Double? = nil, counterexample: Counterexample? = nil
    ) {
        self.subject = subject
        self.property = property
        self.verdict = verdict
        self.reason = reason
        self.engine = engine
        self.seconds = seconds
        self.counterexample = counterexample
    }

    /// A result about a partition of a consumer group.
    public init(
        group: String, topic: String, partition: Int, property: Property, verdict: Verdict, reason: String? = nil,
        engine: String? = nil, seconds: Double? = nil, counterexample: Counterexample? = nil
    ) {
        self.init(subject: .partition(group: group, topic: topic, partition: partition), property: property, verdict: verdict,
                  reason: reason, engine: engine, seconds: seconds, counterexample: counterexample)
    }

    /// A result about a named register.
    public init(
        register: String, property: Property, verdict: Verdict, reason: String? = nil, engine: String? = nil,
        seconds: Double? = nil, counterexample: Counterexample? = nil
    ) {
        self.init(subject: .register(register), property: property, verdict: verdict, reason: reason, engine: engine,
                  seconds: seconds, counterexample: counterexample)
    }

    /// The consumer group (commit traces).
    public var group: String? {
        if case .partition(let group, _, _) = subject { return group }
        return nil
    }
    /// The topic (commit traces).
    public var topic: String? {
        if case .partition(_, let topic, _) = subject { return topic }
        return nil
    }
    /// The partition (commit traces).
    public var partition: Int? {
        if case .partition(_, _, let partition) = subject { return partition }
        return nil
    }
    /// The register's name, for register histories that are not Kafka partitions.
    public var register: String? {
        if case .register(let name) = subject { return name }
        return nil
    }

    /// `group topic/partition` or the register's name.
    public var keyDescription: String {
        switch subject {
        case .partition(let group, let topic, let partition): "\(group) \(topic)/\(partition)"
        case .register(let name): name
        }
    }

    private enum CodingKeys: String, CodingKey {
        case group, topic, partition, register, property, verdict, reason, engine, seconds, counterexample, expected, subHistoryLine
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let register = try container.decodeIfPresent(String.self, forKey: .register) {
            subject = .register(register)
        } else {
            subject = .partition(group: try container.decode(String.self, forKey: .group),
                                 topic: try container.decode(String.self, forKey: .topic),
                                 partition: try container.decode(Int.self, forKey: .partition))
        }
        property = try container.decode(Property.self, forKey: .property)
        verdict = try container.decode(Verdict.self, forKey: .verdict)
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        engine = try container.decodeIfPresent(String.self, forKey: .engine)
        seconds = try container.decodeIfPresent(Double.self, forKey: .seconds)
        counterexample = try container.decodeIfPresent(Counterexample.self, forKey: .counterexample)
        expected = try container.decodeIfPresent(Verdict.self, forKey: .expected)
        subHistoryLine = try container.decodeIfPresent(Int.self, forKey: .subHistoryLine)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch subject {
        case .partition(let group, let topic, let partition):
            try container.encode(group, forKey: .group)
            try container.encode(topic, forKey: .topic)
            try container.encode(partition, forKey: .partition)
        case .register(let name):
            try container.encode(name, forKey: .register)
        }
        try container.encode(property, forKey: .property)
        try container.encode(verdict, forKey: .verdict)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encodeIfPresent(engine, forKey: .engine)
        try container.encodeIfPresent(seconds, forKey: .seconds)
        try container.encodeIfPresent(counterexample, forKey: .counterexample)
        try container.encodeIfPresent(expected, forKey: .expected)
        try container.encodeIfPresent(subHistoryLine, forKey: .subHistoryLine)
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
    /// Whether the evidence was shrunk to 1-minimal (false when the budget ran out, or when
    /// minimisation was turned off: see ``minimizationOff``).
    public var minimal: Bool?
    /// True when minimisation was turned off (`--minimize-timeout 0`): the evidence is not minimal
    /// because no shrinking was asked for, not because a budget ran out.
    public var minimizationOff: Bool?
    /// The evidence as a `commitcheck/1` sub-trace that re-verifies to the same verdict.
    public var subTrace: String?
    /// For a regression: the most some consistent schedule loses, as a drawdown (a value the key
    /// held minus a lower one applied later: what a consumer restarting then consumes again).
    public var largestDrop: Int?
    /// For `violated`: the least every consistent schedule loses.
    public var guaranteedDrop: Int?
    /// For a regression into a commit that looks like an operator's rewind: the `--reset-clients`
    /// option that would treat it as one (a hint, never applied on its own).
    public var resetHint: String?
    /// The same evidence, typed: events with file and line, the apply and read points, the shortest
    /// chain of forced orders with their reasons, the witness schedule. Reporters draw from this.
    public var evidence: Evidence?

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

    /// Adds another run's ordering and deciding figures (windows and re-checks of one streaming run).
    package mutating func addDecisions(of other: RunStatistics) {
        orderSeconds += other.orderSeconds
        decideSeconds += other.decideSeconds
        keysByGraph += other.keysByGraph
        keysByZ3 += other.keysByZ3
        z3Seconds += other.z3Seconds
    }
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
}
