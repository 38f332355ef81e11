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

/// The outcome an `ack` or `ended` reports (specs/trace-format.md).
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
    case meta, build, send, ack, fetch, fetched, apply, end, ended, completed
}

/// What an `end` (an EndTxn request) asks the transaction coordinator to do.
public enum TransactionResult: String, Sendable, CaseIterable {
    case commit, abort
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

    /// The fields of one kind of event (specs/trace-format.md): one struct per kind, so that a new
    /// field is added in one place and patterns name only what they read.
    public enum Payload: Sendable {
        /// The clock settings and initial offsets; boxed, since one line in a trace has it.
        indirect case meta(TraceMeta)
        /// A commit request was built with these offsets.
        case build(Build)
        /// The request was handed to a connection.
        case send(Send)
        /// The response.
        case ack(Ack)
        /// An OffsetFetch was issued.
        case fetch(FetchRequest)
        /// Its response.
        case fetched(FetchResponse)
        /// A broker-side observation: the commit was applied here.
        case apply(Apply)
        /// An EndTxn asking to commit or abort a transaction was sent.
        case end(End)
        /// Its response.
        case ended(Ended)
        /// A broker-side observation: the transaction's outcome has taken effect by here.
        case completed(Completed)
    }

    /// `build`: a commit request was built with these offsets (the next offsets to consume).
    public struct Build: Sendable {
        public var commit: String
        public var group: String
        public var offsets: [(TopicPartition, Int)]
        public var generation: Int?
        public var member: String?
        /// The transaction the offsets are staged in (TxnOffsetCommit), if any.
        public var txn: String?
        /// An intended rewind: `monotonic` does not count a decrease into it.
        public var reset: Bool

        public init(commit: String, group: String, offsets: [(TopicPartition, Int)], generation: Int? = nil, member: String? = nil,
                    txn: String? = nil, reset: Bool = false) {
            self.commit = commit
            self.group = group
            self.offsets = offsets
            self.generation = generation
            self.member = member
            self.txn = txn
            self.reset = reset
        }
    }

    /// `send`: the request was handed to a connection; a recorder that sees only the wire carries
    /// the group and offsets here.
    public struct Send: Sendable {
        public var commit: String
        public var conn: String?
        public var carried: CarriedOffsets?
        /// The transaction the offsets are staged in, if any.
        public var txn: String?
        /// An intended rewind.
        public var reset: Bool
        /// The Kafka client id of the request.
        public var client: String?

        public init(commit: String, conn: String? = nil, carried: CarriedOffsets? = nil, txn: String? = nil, reset: Bool = false,
                    client: String? = nil) {
            self.commit = commit
            self.conn = conn
            self.carried = carried
            self.txn = txn
            self.reset = reset
            self.client = client
        }
    }

    /// `ack`: the response to a commit.
    public struct Ack: Sendable {
        public var commit: String
        public var status: AckStatus
        /// Per-partition error codes: those partitions did not apply.
        public var errors: [(TopicPartition, String)]?

        public init(commit: String, status: AckStatus, errors: [(TopicPartition, String)]? = nil) {
            self.commit = commit
            self.status = status
            self.errors = errors
        }
    }

    /// `fetch`: an OffsetFetch was issued.
    public struct FetchRequest: Sendable {
        public var fetch: String
        public var group: String
        public var partitions: [TopicPartition]
        /// The Kafka client id of the request.
        public var client: String?

        public init(fetch: String, group: String, partitions: [TopicPartition], client: String? = nil) {
            self.fetch = fetch
            self.group = group
            self.partitions = partitions
            self.client = client
        }
    }

    /// `fetched`: the response to a fetch (`-1`: no committed offset).
    public struct FetchResponse: Sendable {
        public var fetch: String
        public var offsets: [(TopicPartition, Int)]

        public init(fetch: String, offsets: [(TopicPartition, Int)]) {
            self.fetch = fetch
            self.offsets = offsets
        }
    }

    /// `apply`: a broker-side observation of a commit being applied.
    public struct Apply: Sendable {
        public var commit: String
        public init(commit: String) { self.commit = commit }
    }

    /// `end`: an EndTxn asking to commit or abort transaction `txn` was sent.
    public struct End: Sendable {
        public var txn: String
        public var result: TransactionResult
        public init(txn: String, result: TransactionResult) {
            self.txn = txn
            self.result = result
        }
    }

    /// `ended`: the response to the latest `end` of `txn`.
    public struct Ended: Sendable {
        public var txn: String
        public var status: AckStatus
        public var error: String?
        public init(txn: String, status: AckStatus, error: String? = nil) {
            self.txn = txn
            self.status = status
            self.error = error
        }
    }

    /// `completed`: by this point `txn`'s outcome has taken effect at the broker.
    public struct Completed: Sendable {
        public var txn: String
        public init(txn: String) { self.txn = txn }
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
        case .end: .end
        case .ended: .ended
        case .completed: .completed
        }
    }

    /// The commit a `build`, `send`, `ack` or `apply` is about.
    public var commit: String? {
        switch payload {
        case .build(let build): build.commit
        case .send(let send): send.commit
        case .ack(let ack): ack.commit
        case .apply(let apply): apply.commit
        case .meta, .fetch, .fetched, .end, .ended, .completed: nil
        }
    }

    /// The fetch a `fetch` or `fetched` is about.
    public var fetch: String? {
        switch payload {
        case .fetch(let request): request.fetch
        case .fetched(let response): response.fetch
        default: nil
        }
    }

    /// The transaction an `end`, `ended` or `completed` is about, or that a commit's offsets are staged in.
    public var txn: String? {
        switch payload {
        case .build(let build): build.txn
        case .send(let send): send.txn
        case .end(let end): end.txn
        case .ended(let ended): ended.txn
        case .completed(let completed): completed.txn
        default: nil
        }
    }

    /// The group a `build`, a `fetch` or a wire recorder's `send` names.
    public var group: String? {
        switch payload {
        case .build(let build): build.group
        case .fetch(let request): request.group
        case .send(let send): send.carried?.group
        default: nil
        }
    }

    /// Offsets in the order written (`build`, a wire recorder's `send`, `fetched`).
    public var offsets: [(TopicPartition, Int)]? {
        switch payload {
        case .build(let build): build.offsets
        case .fetched(let response): response.offsets
        case .send(let send): send.carried?.offsets
        default: nil
        }
    }

    /// An `ack`'s or `ended`'s status.
    public var status: AckStatus? {
        switch payload {
        case .ack(let ack): ack.status
        case .ended(let ended): ended.status
        default: nil
        }
    }

    /// An `ack`'s per-partition error codes.
    public var errors: [(TopicPartition, String)]? {
        if case .ack(let ack) = payload { return ack.errors }
        return nil
    }

    /// The connection a `send` went out on.
    public var conn: String? {
        if case .send(let send) = payload { return send.conn }
        return nil
    }

    /// The Kafka client id of a `send` or `fetch`.
    public var client: String? {
        switch payload {
        case .send(let send): send.client
        case .fetch(let request): request.client
        default: nil
        }
    }

    /// Whether a `build` or `send` marks its commit as an intended rewind.
    public var reset: Bool {
        switch payload {
        case .build(let build): build.reset
        case .send(let send): send.reset
        default: false
        }
    }

    /// A `fetch`'s partitions.
    public var partitions: [TopicPartition]? {
        if case .fetch(let request) = payload { return request.partitions }
        return nil
    }

    /// A `build`'s consumer-group generation.
    public var generation: Int? {
        if case .build(let build) = payload { return build.generation }
        return nil
    }

    /// A `build`'s group member.
    public var member: String? {
        if case .build(let build) = payload { return build.member }
        return nil
    }

    /// The settings of a `meta` line.
    public var meta: TraceMeta? {
        if case .meta(let meta) = payload { return meta }
        return nil
    }
}
