import CommitRecorder
import KafkaWire
import NIOConcurrencyHelpers
import TraceFormat

/// What all of a proxy's connections share: the trace, ids, topic names, broker addresses, the
/// transactions being joined across connections, the partitions seen per group and what was
/// forwarded unrecorded.
///
/// One per proxy, not per connection: a transaction's TxnOffsetCommit reaches the group coordinator
/// and its EndTxn the transaction coordinator, on different connections. Connections on different
/// event loops use it at once, so everything that changes lives in one locked box.
final class ProxyRecordingState: Sendable {
    let recorder: ProxyTraceRecorder
    let rewritesBrokers: Bool
    private let logSink: @Sendable (String) -> Void
    /// Informational lines (the protocol versions in use), once each; `nil` drops them (quiet).
    private let information: (@Sendable (String) -> Void)?
    /// Upstream broker `host:port` as brokers advertise it → the proxy address clients should use.
    private let brokerMap: [String: (host: String, port: Int32)]
    private let mutable = NIOLockedValueBox(Mutable())

    private struct Mutable {
        var topicNames: [KafkaUUID: String] = [:]
        /// Ids clients gave (`commitcheck:ID`), the only ones that can repeat: the proxy's own
        /// (`conn-N-CORRELATION`) are unique by construction and not remembered, so memory does not
        /// grow with commits. Flat for numbered ids; may take a never-used id for used, which only
        /// gives that request a suffixed id.
        var clientCommitIDs = SeenIDs(outsideLimit: 4_096)
        var warned: Set<String> = []
        var connections = 0
        var requestsSeen = 0
        var groupRequestsSeen = 0
        var transactions = TransactionBook()
        /// Partitions seen in commits and fetches, per group: what a DeleteGroups resets.
        var partitionsByGroup: [String: Set<CommitRecorder.Partition>] = [:]
        var unrecorded = UnrecordedTraffic()
    }

    init(recorder: ProxyTraceRecorder, brokerMap: [String: (host: String, port: Int32)], rewritesBrokers: Bool,
         log: @escaping @Sendable (String) -> Void, information: (@Sendable (String) -> Void)? = nil) {
        self.recorder = recorder
        self.brokerMap = brokerMap
        self.rewritesBrokers = rewritesBrokers
        self.information = information
        self.logSink = log
    }

    func log(_ message: String) { logSink(message) }

    func noteOnce(_ message: String) {
        guard let information else { return }
        let first = mutable.withLockedValue { $0.warned.insert(message).inserted }
        if first { information(message) }
    }

    func warnOnce(_ message: String) {
        let first = mutable.withLockedValue { $0.warned.insert(message).inserted }
        if first { logSink(message) }
    }

    /// `conn-1`, `conn-2`, ...: the thread and connection name of a new client connection.
    func nextConnectionName() -> String {
        mutable.withLockedValue {
            $0.connections += 1
            return "conn-\($0.connections)"
        }
    }

    /// A topic's name; for requests that name topics by id (v10), the name learned from Metadata.
    func topicName(name: String?, id: KafkaUUID?) -> String {
        if let name { return name }
        guard let id else { return "unnamed-topic" }
        if let known = mutable.withLockedValue({ $0.topicNames[id] }) { return known }
        warnOnce("proxy: topic id \(id) was not in any Metadata response seen; recorded under its id")
        return "topic-id-\(id)"
    }

    func learn(_ metadata: MetadataResponse) {
        let names = metadata.topicNamesByID
        guard !names.isEmpty else { return }
        mutable.withLockedValue { $0.topicNames.merge(names) { _, new in new } }
    }

    /// The id of a commit: `ID` when every partition's metadata is `commitcheck:ID` (a client
    /// that records `build` events joins the proxy's trace that way), else `fallback`. An id seen
    /// before (a retried request) gets a suffix so that each request is its own commit.
    ///
    /// `fallback` must be unique among fallbacks (the proxy's connection number and the request's
    /// correlation id); it is checked only against the clients' ids.
    func commitID(metadata: Set<String>, fallback: String) -> String {
        var id = fallback
        var fromClient = false
        if metadata.count == 1, let text = metadata.first, text.hasPrefix("commitcheck:"), text.count > 12 {
            id = String(text.dropFirst(12))
            fromClient = true
        }
        return mutable.withLockedValue {
            var candidate = id
            var attempt = 1
            while $0.clientCommitIDs.contains(candidate) {
                attempt += 1
                candidate = "\(id)~\(attempt)"
            }
            if fromClient || attempt > 1 { $0.clientCommitIDs.insert(candidate) }
            return candidate
        }
    }

    /// Where clients should reach broker `host:port`: through the proxy when it is mapped.
    func rewrite(host: String, port: Int32, node: Int32) -> (host: String, port: Int32) {
        if let mapped = brokerMap["\(host):\(port)"] { return mapped }
        warnOnce("proxy: broker \(node) at \(host):\(port) is not proxied; clients will talk to it directly (add --broker \(host):\(port)=LISTEN)")
        return (host, port)
    }

    /// Runs `body` on the transaction book under the state's lock, with the lines it writes: the
    /// numbering of transactions and the order of their lines in the trace then agree across
    /// connections (a transaction's `end` is in the file before a `send` of the next one).
    func withTransactions<Result>(_ body: (inout TransactionBook) -> Result) -> Result {
        mutable.withLockedValue { body(&$0.transactions) }
    }

    /// Remembers partitions of `group` a commit or fetch named.
    func noteSeen(group: String, _ partitions: some Sequence<CommitRecorder.Partition>) {
        mutable.withLockedValue { $0.partitionsByGroup[group, default: []].formUnion(partitions) }
    }

    /// Every partition of `group` seen so far in commits and fetches.
    func seenPartitions(group: String) -> Set<CommitRecorder.Partition> {
        mutable.withLockedValue { $0.partitionsByGroup[group] ?? [] }
    }

    /// Counts a request forwarded without being recorded; the first of its kind is logged at once,
    /// with what it means for the verdicts.
    func forwardedUnrecorded(_ kind: UnrecordedTraffic.Kind) {
        let first = mutable.withLockedValue { $0.unrecorded.count(kind) }
        if first { logSink("proxy: warning: \(kind.warning)") }
    }

    /// One line per kind of request forwarded without being recorded, for the end of a run.
    var unrecordedSummary: [String] { mutable.withLockedValue { $0.unrecorded.summary } }

    /// Counts a request the clients sent, to notice clients that bypass the proxy for their group.
    func countRequest(_ apiKey: KafkaAPIKey) {
        let group: Set<KafkaAPIKey> = [.offsetCommit, .offsetFetch, .joinGroup, .syncGroup, .heartbeat, .leaveGroup,
                                       .consumerGroupHeartbeat, .txnOffsetCommit, .offsetDelete, .deleteGroups]
        let isGroup = group.contains(apiKey)
        mutable.withLockedValue {
            $0.requestsSeen += 1
            if isGroup { $0.groupRequestsSeen += 1 }
        }
    }

    /// A warning for the end of a run that forwarded traffic but saw no consumer-group request:
    /// the trace then holds no commit, and the clients most likely talked to their group
    /// coordinator directly.
    var bypassWarning: String? {
        let (requests, group) = mutable.withLockedValue { ($0.requestsSeen, $0.groupRequestsSeen) }
        guard requests > 0, group == 0 else { return nil }
        let how = rewritesBrokers
            ? "a broker the clients learned about may have no --broker route, so they reach it directly"
            : "the broker advertises its own address in Metadata and FindCoordinator answers, so clients reach the coordinator directly; run with --rewrite-brokers (and a --broker route for every broker), or make the broker advertise the proxy's address"
        return "proxy: forwarded \(requests) request(s) but saw no consumer-group request (OffsetCommit, OffsetFetch, JoinGroup, Heartbeat): the trace has nothing to check. Clients may be bypassing the proxy: \(how)"
    }
}
