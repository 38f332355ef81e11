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
    public init() {}
}

/// One decoded trace line.
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
    public var fetch: String?
    public var group: String?
    /// Offsets in the order written (`build`, wire `send`, `fetched`).
    public var offsets: [(TopicPartition, Int)]?
    public var conn: String?
    public var status: AckStatus?
    /// Per-partition error codes of an `ack`.
    public var errors: [(TopicPartition, String)]?
    /// Partitions of a `fetch`.
    public var partitions: [TopicPartition]?
    public var generation: Int?
    public var member: String?
    /// Set on `meta` lines only.
    public var meta: TraceMeta?

    public init(kind: EventKind, line: Int) {
        self.kind = kind
        self.line = line
    }
}
