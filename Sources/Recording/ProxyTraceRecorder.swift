import CommitRecorder
import NIOConcurrencyHelpers

/// The proxy's trace: `send`, `ack`, `fetch`, `fetched`, `end`, `ended` and `completed` lines, each
/// out of the process before the call returns.
///
/// The proxy forwards a commit's answer right after recording its `ack`, so the line must already
/// be written when `ack` returns (``TraceLineSink``); the in-process `CommitRecorder` buffers lines
/// for speed and cannot promise that. Same line format as `CommitRecorder`. A line that cannot be
/// written makes the call return `false` (the caller then must not forward what the line
/// describes); the first such error is kept and thrown by `flush()` or `close()`.
public final class ProxyTraceRecorder: Sendable {
    public let proc: String
    private let sink: TraceLineSink
    private let firstError = NIOLockedValueBox<RecorderError?>(nil)

    /// Opens (and truncates) `path` and writes the `meta` line.
    ///
    /// - Parameters:
    ///   - durability: `.written` survives a crash of the proxy, `.synced` (`--fsync`) also a power loss.
    ///   - lineObserver: sees every line (without its line end) in trace order, after it was written.
    public init(path: String, proc: String, durability: TraceLineSink.Durability = .written,
                lineObserver: (@Sendable (String) -> Void)? = nil) throws(RecorderError) {
        self.proc = proc
        let writer = try DurableLineWriter(path: path, append: false)
        sink = TraceLineSink(writer: writer, durability: durability, lineObserver: lineObserver)
        try sink.write(CollectionOfOne(Array(#"{"ev":"meta","format":"commitcheck/1","clock":"monotonic"}"#.utf8)))
    }

    /// A commit request read from the wire; `conn` names the connection (FIFO claim), `txn` the
    /// transaction a TxnOffsetCommit stages it in, `reset` an intended rewind, `client` the
    /// request's Kafka client id.
    @discardableResult
    public func send(commit: String, conn: String? = nil, group: String? = nil,
                     offsets: [CommitRecorder.Partition: Int64]? = nil, txn: String? = nil, reset: Bool = false,
                     client: String? = nil, thread: String) -> Bool {
        record("send", thread: thread) { line in
            JSONText.field("commit", commit, &line)
            if let conn { JSONText.field("conn", conn, &line) }
            if let group { JSONText.field("group", group, &line) }
            if let offsets { JSONText.partitionMap("offsets", offsets, &line) { JSONText.integer($0, &$1) } }
            if let txn { JSONText.field("txn", txn, &line) }
            if reset { line.append(contentsOf: #","reset":true"#.utf8) }
            if let client { JSONText.field("client", client, &line) }
        }
    }

    /// A commit's answer: `ok` applied every partition not in `errors`, `fail` none, `unknown` may have.
    @discardableResult
    public func ack(commit: String, status: CommitRecorder.Outcome, errors: [CommitRecorder.Partition: String] = [:],
                    thread: String) -> Bool {
        record("ack", thread: thread) { line in
            JSONText.field("commit", commit, &line)
            JSONText.field("status", status.rawValue, &line)
            if !errors.isEmpty { JSONText.partitionMap("errors", errors, &line) { JSONText.string($0, &$1) } }
        }
    }

    /// An OffsetFetch request for these partitions (`client`: the request's Kafka client id).
    @discardableResult
    public func fetch(group: String, partitions: [CommitRecorder.Partition], fetch: String, client: String? = nil,
                      thread: String) -> Bool {
        record("fetch", thread: thread) { line in
            JSONText.field("fetch", fetch, &line)
            JSONText.field("group", group, &line)
            line.append(contentsOf: #","partitions":["#.utf8)
            for (index, partition) in partitions.sorted(by: JSONText.partitionOrder).enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                JSONText.string(partition.description, &line)
            }
            line.append(UInt8(ascii: "]"))
            if let client { JSONText.field("client", client, &line) }
        }
    }

    /// An EndTxn asking to commit (`true`) or abort transaction `txn`.
    @discardableResult
    public func end(txn: String, commit: Bool, thread: String) -> Bool {
        record("end", thread: thread) { line in
            JSONText.field("txn", txn, &line)
            JSONText.field("result", commit ? "commit" : "abort", &line)
        }
    }

    /// The answer to the latest `end` of `txn`; `error` names a non-zero error code.
    @discardableResult
    public func ended(txn: String, status: CommitRecorder.Outcome, error: String? = nil, thread: String) -> Bool {
        record("ended", thread: thread) { line in
            JSONText.field("txn", txn, &line)
            JSONText.field("status", status.rawValue, &line)
            if let error { JSONText.field("error", error, &line) }
        }
    }

    /// The transaction coordinator accepted a later step of the same transactional id: `txn`'s
    /// outcome has taken effect.
    @discardableResult
    public func completed(txn: String, thread: String) -> Bool {
        record("completed", thread: thread) { line in
            JSONText.field("txn", txn, &line)
        }
    }

    /// An OffsetFetch answer (`-1`: nothing committed).
    @discardableResult
    public func fetched(fetch: String, offsets: [CommitRecorder.Partition: Int64], thread: String) -> Bool {
        record("fetched", thread: thread) { line in
            JSONText.field("fetch", fetch, &line)
            JSONText.partitionMap("offsets", offsets, &line) { JSONText.integer($0, &$1) }
        }
    }

    /// Syncs the file; throws the first error a line met since the last call.
    public func flush() throws(RecorderError) {
        if let error = takeError() { throw error }
        try sink.writer.flush(sync: true)
    }

    /// Syncs and closes the file; later lines fail.
    public func close() throws(RecorderError) {
        if let error = takeError() {
            try? sink.writer.close()
            throw error
        }
        try sink.writer.close()
    }

    private func record(_ event: String, thread: String, _ fields: (inout [UInt8]) -> Void) -> Bool {
        do throws(RecorderError) {
            try sink.record { timestamp, line in
                line.append(contentsOf: #"{"ev":"#.utf8)
                JSONText.string(event, &line)
                JSONText.field("proc", proc, &line)
                JSONText.field("thread", thread, &line)
                line.append(contentsOf: #","ts":"#.utf8)
                JSONText.integer(timestamp, &line)
                fields(&line)
                line.append(UInt8(ascii: "}"))
            }
            return true
        } catch {
            firstError.withLockedValue { if $0 == nil { $0 = error } }
            return false
        }
    }

    /// The kept write error, for a log line (it stays kept for `flush()`/`close()`).
    var pendingErrorDescription: String {
        firstError.withLockedValue { $0.map { "\($0)" } ?? "no error kept" }
    }

    private func takeError() -> RecorderError? {
        firstError.withLockedValue { stored in
            defer { stored = nil }
            return stored
        }
    }
}
