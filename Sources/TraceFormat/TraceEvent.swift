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

/// One decoded trace line: where it came from, who recorded it, and what it says (a payload per kind).
public struct TraceEvent: Sendable {
    /// The 1-based line number in its file.
    public var line: Int
    /// The index of the file among those verified together (0 for a single file).
    public var file: Int = 0
    /// The recording process (empty on `meta`).
    public var proc: String = ""
    /// The thread, goroutine or task inside ``proc``: its events are in program order.
    public var thread: String = "main"
    /// A reading of ``proc``'s clock, in nanoseconds.
    public var ts: Int?
    /// What the line records: the fields of its `ev`, each present by construction.
    public var payload: Payload

    public init(line: Int, proc: String = "", thread: String = "main", ts: Int? = nil, payload: Payload) {
        self.line = line
        self.proc = proc
        self.thread = thread
        self.ts = ts
        self.payload = payload
    }

    /// The fields of one kind of event (DESIGN §3).
    public enum Payload: Sendable {
        /// The clock settings and initial offsets; boxed, since one line in a trace has it.
        indirect case meta(TraceMeta)
        /// A commit request was built with these offsets.
        case build(commit: String, group: String, offsets: [(TopicPartition, Int)], generation: Int?, member: String?)
        /// The request was handed to a connection; a recorder that sees only the wire carries the
        /// group and offsets here.
        case send(commit: String, conn: String?, carried: CarriedOffsets?)
        /// The response.
        case ack(commit: String, status: AckStatus, errors: [(TopicPartition, String)]?)
        /// An OffsetFetch was issued.
        case fetch(fetch: String, group: String, partitions: [TopicPartition])
        /// Its response (`-1`: no committed offset).
        case fetched(fetch: String, offsets: [(TopicPartition, Int)])
        /// A broker-side observation: the commit was applied here.
        case apply(commit: String)
    }

    /// The group and offsets a wire recorder puts on a `send` (it sees no `build`).
    public struct CarriedOffsets: Sendable {
        public var group: String
        public var offsets: [(TopicPartition, Int)]

        public init(group: String, offsets: [(TopicPartition, Int)]) {
            self.group = group
            self.offsets = offsets
        }
    }

    /// What kind of event the line records.
    public var kind: EventKind {
        switch payload {
        case .meta: .meta
        case .build: .build
        case .send: .send
        case .ack: .ack
        case .fetch: .fetch
        case .fetched: .fetched
        case .apply: .apply
        }
    }

    /// The commit a `build`, `send`, `ack` or `apply` is about.
    public var commit: String? {
        switch payload {
        case .build(let commit, _, _, _, _), .send(let commit, _, _), .ack(let commit, _, _), .apply(let commit): commit
        case .meta, .fetch, .fetched: nil
        }
    }

    /// The fetch a `fetch` or `fetched` is about.
    public var fetch: String? {
        switch payload {
        case .fetch(let fetch, _, _), .fetched(let fetch, _): fetch
        case .meta, .build, .send, .ack, .apply: nil
        }
    }

    /// The group a `build`, a `fetch` or a wire recorder's `send` names.
    public var group: String? {
        switch payload {
        case .build(_, let group, _, _, _), .fetch(_, let group, _): group
        case .send(_, _, let carried): carried?.group
        case .meta, .ack, .fetched, .apply: nil
        }
    }

    /// Offsets in the order written (`build`, a wire recorder's `send`, `fetched`).
    public var offsets: [(TopicPartition, Int)]? {
        switch payload {
        case .build(_, _, let offsets, _, _), .fetched(_, let offsets): offsets
        case .send(_, _, let carried): carried?.offsets
        case .meta, .ack, .fetch, .apply: nil
        }
    }

    /// An `ack`'s status.
    public var status: AckStatus? {
        if case .ack(_, let status, _) = payload { return status }
        return nil
    }

    /// An `ack`'s per-partition error codes.
    public var errors: [(TopicPartition, String)]? {
        if case .ack(_, _, let errors) = payload { return errors }
        return nil
    }

    /// The connection a `send` went out on.
    public var conn: String? {
        if case .send(_, let conn, _) = payload { return conn }
        return nil
    }

    /// A `fetch`'s partitions.
    public var partitions: [TopicPartition]? {
        if case .fetch(_, _, let partitions) = payload { return partitions }
        return nil
    }

    /// A `build`'s consumer-group generation.
    public var generation: Int? {
        if case .build(_, _, _, let generation, _) = payload { return generation }
        return nil
    }

    /// A `build`'s group member.
    public var member: String? {
        if case .build(_, _, _, _, let member) = payload { return member }
        return nil
    }

    /// The settings of a `meta` line.
    public var meta: TraceMeta? {
        if case .meta(let meta) = payload { return meta }
        return nil
    }
}
