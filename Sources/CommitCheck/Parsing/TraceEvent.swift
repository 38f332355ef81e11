/// A partition of a topic, written `topic/partition` in traces.
public struct TopicPartition: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var topic: String
    public var partition: Int

    public init(topic: String, partition: Int) {
        self.topic = topic
        self.partition = partition
    }

    /// Parses `topic/partition`, splitting on the last `/` (Kafka topic names cannot contain `/`).
    public init?(parsing text: String) {
        guard let slash = text.lastIndex(of: "/") else { return nil }
        let topic = String(text[..<slash])
        let number = text[text.index(after: slash)...]
        guard !topic.isEmpty, !number.isEmpty, number.allSatisfy(\.isASCII), let partition = Int(number),
              partition >= 0 else { return nil }
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)/\(partition)" }

    public static func < (a: TopicPartition, b: TopicPartition) -> Bool {
        (a.topic, a.partition) < (b.topic, b.partition)
    }
}

/// The outcome an `ack` reports (DESIGN §3).
public enum AckStatus: String, Sendable, CaseIterable {
    /// Applied every partition not listed in `errors`.
    case ok
    /// Applied none.
    case fail
    /// May or may not have applied (timeout, disconnect).
    case unknown
}

/// What kind of event a trace line records.
public enum EventKind: String, Sendable, CaseIterable {
    case meta, build, send, ack, fetch, fetched, apply
}

/// The clock `ts` values come from (`meta.clock`).
public enum ClockKind: String, Sendable {
    /// One monotonic clock per process: comparable within a process only.
    case monotonic
    /// Wall clocks, comparable across processes up to `skew_ns`.
    case wall
}

/// The optional first line of a trace.
public struct TraceMeta: Sendable, Equatable {
    public var clock: ClockKind = .monotonic
    public var skewNanoseconds: Int = 0
    /// Initial committed offsets per group and partition.
    public var initial: [String: [TopicPartition: Int]] = [:]
    /// Set when this meta line starts a counterexample sub-history (`verify --counterexample`
    /// writes one per bad key): only such a line starts a separate history in a file; any other
    /// meta line continues the one history.
    public var counterexample: CounterexampleLabel? = nil
    public init() {}
}

/// What a counterexample sub-history was written for: its key, property and verdict.
///
/// Re-checking a counterexample file reports each sub-history's own key against this label
/// instead of every key the sub-history happens to touch.
public struct CounterexampleLabel: Sendable, Equatable {
    public var group: String
    public var topic: String
    public var partition: Int
    public var property: Property
    public var verdict: Verdict

    public init(group: String, topic: String, partition: Int, property: Property = .monotonic, verdict: Verdict) {
        self.group = group
        self.topic = topic
        self.partition = partition
        self.property = property
        self.verdict = verdict
    }

    /// The labelled key.
    public var key: PartitionKey { PartitionKey(group: group, partition: TopicPartition(topic: topic, partition: partition)) }
}

/// One decoded trace line.
///
/// Fields most events carry are stored inline; the rare ones (fetch ids, error maps, partition
/// lists, generation, member, meta) live in one shared box that most events do not have, because a
/// history holds every event in memory at once and this keeps each one about a third smaller.
public struct TraceEvent: Sendable {
    public var kind: EventKind
    /// The 1-based line number in its file.
    public var line: Int
    /// The index of the file among those verified together (0 for a single file).
    public var file: Int = 0
    public var proc: String = ""
    public var thread: String = "main"
    public var ts: Int?
    public var commit: String?
    public var group: String?
    /// Offsets in the order written (`build`, wire `send`, `fetched`).
    public var offsets: [(TopicPartition, Int)]?
    public var conn: String?
    public var status: AckStatus?
    private var rare: RareFields?

    public init(kind: EventKind, line: Int) {
        self.kind = kind
        self.line = line
    }

    public var fetch: String? {
        get { rare?.fetch }
        set { if newValue != nil || rare != nil { updateRare { $0.fetch = newValue } } }
    }

    /// Per-partition error codes of an `ack`.
    public var errors: [(TopicPartition, String)]? {
        get { rare?.errors }
        set { if newValue != nil || rare != nil { updateRare { $0.errors = newValue } } }
    }

    /// Partitions of a `fetch`.
    public var partitions: [TopicPartition]? {
        get { rare?.partitions }
        set { if newValue != nil || rare != nil { updateRare { $0.partitions = newValue } } }
    }

    public var generation: Int? {
        get { rare?.generation }
        set { if newValue != nil || rare != nil { updateRare { $0.generation = newValue } } }
    }

    public var member: String? {
        get { rare?.member }
        set { if newValue != nil || rare != nil { updateRare { $0.member = newValue } } }
    }

    /// Set on `meta` lines only.
    public var meta: TraceMeta? {
        get { rare?.meta }
        set { if newValue != nil || rare != nil { updateRare { $0.meta = newValue } } }
    }

    /// Changes the box copy-on-write, creating it on first use (setting `nil` on no box is free).
    private mutating func updateRare(_ change: (RareFields) -> Void) {
        if rare == nil {
            rare = RareFields()
        } else if !isKnownUniquelyReferenced(&rare!) {
            rare = rare!.copy()
        }
        change(rare!)
    }
}

/// The fields few events have, boxed (see ``TraceEvent``). Mutated only through
/// ``TraceEvent``'s copy-on-write setters, so sharing it between copies is safe.
private final class RareFields: @unchecked Sendable {
    var fetch: String?
    var errors: [(TopicPartition, String)]?
    var partitions: [TopicPartition]?
    var generation: Int?
    var member: String?
    var meta: TraceMeta?

    func copy() -> RareFields {
        let copy = RareFields()
        copy.fetch = fetch
        copy.errors = errors
        copy.partitions = partitions
        copy.generation = generation
        copy.member = member
        copy.meta = meta
        return copy
    }
}
