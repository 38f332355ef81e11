/// One point of a schedule that a counterexample names: a recorded event (with its file and line),
/// a commit's apply point `A(c)` or a fetch's read point `R(f)`.
///
/// Every reporter renders these typed points (the text story, JSON, SARIF, GitHub annotations and the
/// HTML page), so no reporter has to read another one's prose back.
public struct EvidencePoint: Codable, Sendable, Hashable {
    /// What kind of point this is.
    public enum Role: String, Codable, Sendable {
        /// A recorded event of the trace.
        case event
        /// `A(c)`: when the commit took effect at the group coordinator.
        case apply
        /// `R(f)`: when the fetch read the register.
        case read
        /// `C(T, g)`: when a committed transaction's staged offsets of one group became visible.
        case visible
    }

    public var role: Role
    /// For an event: its `ev` (`build`, `send`, `ack`, `fetch`, `fetched`, `apply`).
    public var kind: String?
    /// The commit the point belongs to (events of a commit, and apply points).
    public var commit: String?
    /// The fetch the point belongs to (fetch events, and read points).
    public var fetch: String?
    /// For an event: the trace file it was read from (as given on the command line).
    public var file: String?
    /// For an event: its line in that file.
    public var line: Int?
    /// For an event: the process and thread that recorded it.
    public var proc: String?
    public var thread: String?
    /// For an event: its timestamp, when it has one.
    public var ts: Int?
    /// The transaction the point belongs to (a staged commit's points, `end` events, commit points).
    public var txn: String?

    public init(role: Role, kind: String? = nil, commit: String? = nil, fetch: String? = nil, file: String? = nil,
                line: Int? = nil, proc: String? = nil, thread: String? = nil, ts: Int? = nil, txn: String? = nil) {
        self.role = role
        self.kind = kind
        self.commit = commit
        self.fetch = fetch
        self.file = file
        self.line = line
        self.proc = proc
        self.thread = thread
        self.ts = ts
        self.txn = txn
    }

    /// A short name as the witness schedule has always written it: `send c1`, `apply c1`, `read f1`.
    public var name: String {
        switch role {
        case .event: "\(kind ?? "event") \(commit ?? fetch ?? "")"
        case .apply: "apply \(commit ?? "")"
        case .read: "read \(fetch ?? "")"
        case .visible: "visible \(txn ?? "")"
        }
    }
}

/// One step of a chain of forced orders: `from` comes before `to` in every consistent schedule, for
/// `reason`. A step may stand for several edges of the order graph with one reason (a thread's
/// program order from one line to a later one is one fact).
public struct ForcedStep: Codable, Sendable, Hashable {
    /// The rule of the system model (specs/system-model.md) behind a step.
    public enum Reason: String, Codable, Sendable, CaseIterable {
        /// Rule 1: events of one (proc, thread) in line order.
        case program
        /// Rule 2: timestamps of one process (or wall clocks across processes beyond the skew).
        case clock
        /// Rule 3: build < send < apply < ack, fetch < read < fetched.
        case causality
        /// Rule 4: requests on one connection apply in the order they were sent.
        case fifo
        /// Rule 6: an observed `apply` event pins the apply point into its process's order.
        case observation
        /// A fetch result: the value read decides where the writer's apply point falls.
        case read
        /// Rule 8: a transaction's offsets are staged before it commits, its commit follows its
        /// EndTxn, and precedes the broker's sign that it completed.
        case transaction

        /// How the story and the page name it.
        public var label: String {
            switch self {
            case .program: "program order"
            case .clock: "clock order"
            case .causality: "causality"
            case .fifo: "connection FIFO"
            case .observation: "observed apply"
            case .read: "read"
            case .transaction: "transaction"
            }
        }

        init(_ reason: OrderReason) {
            switch reason {
            case .program: self = .program
            case .clock: self = .clock
            case .causality: self = .causality
            case .fifo: self = .fifo
            case .observation: self = .observation
            case .transaction: self = .transaction
            }
        }
    }

    public var from: EvidencePoint
    public var to: EvidencePoint
    public var reason: Reason

    public init(from: EvidencePoint, to: EvidencePoint, reason: Reason) {
        self.from = from
        self.to = to
        self.reason = reason
    }
}
