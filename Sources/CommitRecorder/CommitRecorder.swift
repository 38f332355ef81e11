import Locking
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Records a Swift client's commit activity as a `commitcheck/1` trace.
///
/// Put `build` where the client snapshots the offsets it will commit, `send` where the request is
/// handed to the connection (inside the connection's write lock, with `conn`, to claim FIFO), and
/// `ack` where the response arrives; `fetch`/`fetched` around OffsetFetch. A transactional producer's
/// `sendOffsetsToTransaction` is a `build` with `txn` (then `send` and `ack` as usual), its
/// `commitTransaction`/`abortTransaction` an `end` before the call and an `ended` after it; an
/// intended rewind is a `build` with `reset: true` (specs/recording.md). Every event is stamped
/// with the recorder's `proc`, the calling task or thread, and the monotonic clock, then buffered;
/// `flush()` and `close()` make what was recorded durable. Thread-safe.
///
/// Recording never throws on the hot path: a write error is kept and rethrown by the next
/// `flush()` or `close()`, because a recorder must not change the control flow of the code it
/// observes. Events recorded after `close()` are dropped and also reported there.
public final class CommitRecorder: @unchecked Sendable {
    /// The process name every event carries: one clock domain.
    public let proc: String
    private let writer: DurableLineWriter
    private let errorLock = PthreadLock()
    private var firstError: RecorderError?
    private let counterLock = PthreadLock()
    private var counter = 0
    /// The last `ts` written; read and set only under the writer's lock (inside `appendLine`).
    private var lastTimestamp: Int64 = 0

    /// Opens `path` and, when the file is new or emptied, writes the `meta` line.
    ///
    /// - Parameters:
    ///   - proc: unique per process (one recorder per process; files of several processes are
    ///     verified together with `commitcheck verify a.jsonl b.jsonl`).
    ///   - append: keep what the file holds (a restarted process continuing its trace).
    ///   - bufferCapacity: bytes buffered before a write; a crash of the process loses at most these.
    public init(path: String, proc: String, append: Bool = false, bufferCapacity: Int = 64 * 1024) throws(RecorderError) {
        self.proc = proc
        self.writer = try DurableLineWriter(path: path, append: append, bufferCapacity: bufferCapacity)
        if writer.isEmptyFile {
            try writer.appendLine { line in
                TraceLineEncoding.appendRaw(#"{"ev":"meta","format":"commitcheck/1","clock":"monotonic"}"#, to: &line)
            }
        }
    }

    /// A fresh commit or fetch id, unique within this recorder: `proc-N`.
    public func nextID() -> String {
        let number = counterLock.withLock { counter += 1; return counter }
        return "\(proc)-\(number)"
    }

    /// The client built a commit request with these offsets (Kafka's convention: the next offset
    /// to consume). Returns the commit id to pass to `send` and `ack`.
    ///
    /// - Parameters:
    ///   - txn: the transaction the offsets are staged in (a `TxnOffsetCommit` of a
    ///     `sendOffsetsToTransaction`): they become visible only when that transaction commits.
    ///     Any id unique in the trace (`nextTransactionID`); nil for a plain OffsetCommit.
    ///   - reset: the application rewinds on purpose (it sought back and commits the lower
    ///     offset, an operator's reset): `monotonic` does not count a decrease into this commit. A
    ///     reset's offsets may be `-1`, "no committed offset".
    @discardableResult
    public func build(group: String, offsets: [Partition: Int64], commit: String? = nil,
                      generation: Int32? = nil, member: String? = nil, txn: String? = nil, reset: Bool = false,
                      thread: String? = nil) -> String {
        var id = commit ?? ""
        record("build", thread: thread) { line in
            // Numbered under the writer's lock: ids rise in file order, as a streaming check
            // remembers them in flat memory (specs/scaling.md).
            if commit == nil { id = nextID() }
            Self.field("commit", id, &line)
            Self.field("group", group, &line)
            Self.offsets(offsets, &line)
            if let generation {
                TraceLineEncoding.appendRaw(#","generation":"#, to: &line)
                TraceLineEncoding.appendInteger(generation, to: &line)
            }
            if let member { Self.field("member", member, &line) }
            Self.commitKind(txn: txn, reset: reset, &line)
        }
        // A closed recorder wrote nothing (flush reports why): the id is still fresh.
        return id.isEmpty ? nextID() : id
    }

    /// The request was handed to a connection. Record it while holding that connection's write
    /// lock and name the connection in `conn`: then the checker may assume the broker applies this
    /// connection's commits in the order of their `send` lines. `group`, `offsets`, `txn` and
    /// `reset` are for recorders that saw no `build` (on a built commit, `build` carries them);
    /// `client` is the Kafka client id the request carries.
    public func send(commit: String, conn: String? = nil, group: String? = nil,
                     offsets: [Partition: Int64]? = nil, txn: String? = nil, reset: Bool = false,
                     client: String? = nil, thread: String? = nil) {
        record("send", thread: thread) { line in
            Self.field("commit", commit, &line)
            if let conn { Self.field("conn", conn, &line) }
            if let group { Self.field("group", group, &line) }
            if let offsets { Self.offsets(offsets, &line) }
            Self.commitKind(txn: txn, reset: reset, &line)
            if let client { Self.field("client", client, &line) }
        }
    }

    /// The response arrived: `ok` applied every partition not in `errors` (partition → error name),
    /// `fail` applied none, `unknown` (timeout, disconnect) may or may not have applied.
    public func ack(commit: String, status: Outcome, errors: [Partition: String] = [:], thread: String? = nil) {
        record("ack", thread: thread) { line in
            Self.field("commit", commit, &line)
            Self.field("status", status.rawValue, &line)
            if !errors.isEmpty {
                Self.partitionMap(#","errors":{"#, errors, &line) { TraceLineEncoding.appendString($0, to: &$1) }
            }
        }
    }

    /// An OffsetFetch was issued for these partitions (`client`: the request's Kafka client id).
    /// Returns the fetch id for `fetched`.
    @discardableResult
    public func fetch(group: String, partitions: [Partition], fetch: String? = nil, client: String? = nil,
                      thread: String? = nil) -> String {
        var id = fetch ?? ""
        record("fetch", thread: thread) { line in
            if fetch == nil { id = nextID() }
            Self.field("fetch", id, &line)
            Self.field("group", group, &line)
            TraceLineEncoding.appendRaw(#","partitions":["#, to: &line)
            for (index, partition) in partitions.enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                TraceLineEncoding.appendKey(partition, to: &line)
            }
            line.append(UInt8(ascii: "]"))
            if let client { Self.field("client", client, &line) }
        }
        return id.isEmpty ? nextID() : id
    }

    /// The OffsetFetch returned these committed offsets (`-1`: none committed).
    public func fetched(fetch: String, offsets: [Partition: Int64], thread: String? = nil) {
        record("fetched", thread: thread) { line in
            Self.field("fetch", fetch, &line)
            Self.offsets(offsets, &line)
        }
    }

    /// A fresh transaction id, unique within this recorder: `TRANSACTIONAL_ID@proc#N`.
    ///
    /// Take one per transaction (from its first staged offsets to its `end`): a transactional
    /// producer that begins a new transaction needs a new id, since the checker decides each
    /// transaction's outcome on its own.
    public func nextTransactionID(transactionalID: String) -> String {
        let number = counterLock.withLock { counter += 1; return counter }
        return "\(transactionalID)@\(proc)#\(number)"
    }

    /// An EndTxn asking to commit or abort transaction `txn` is about to be sent: record it before
    /// the call that sends it (`commitTransaction`/`abortTransaction`), so its line precedes the
    /// moment the coordinator can act on it. A retried end is a second `end` of the same `txn`.
    public func end(txn: String, result: TransactionResult, thread: String? = nil) {
        record("end", thread: thread) { line in
            Self.field("txn", txn, &line)
            Self.field("result", result.rawValue, &line)
        }
    }

    /// The answer to the latest `end` of `txn`: `ok` (the coordinator took the decision), `fail`
    /// (refused: a fenced producer's commit becomes an abort), `unknown` (a timeout, a lost
    /// connection: it may have been taken). `error` names the Kafka error, when there was one.
    public func ended(txn: String, status: Outcome, error: String? = nil, thread: String? = nil) {
        record("ended", thread: thread) { line in
            Self.field("txn", txn, &line)
            Self.field("status", status.rawValue, &line)
            if let error { Self.field("error", error, &line) }
        }
    }

    /// A broker-side observation: by now transaction `txn`'s outcome has taken effect (the
    /// coordinator accepted a later transaction, or a new producer epoch, of the same
    /// transactional id). In process, record it only when the client learned exactly that.
    public func completed(txn: String, thread: String? = nil) {
        record("completed", thread: thread) { line in
            Self.field("txn", txn, &line)
        }
    }

    /// Writes every recorded event and waits until the disk has it; rethrows an earlier write error.
    public func flush() throws(RecorderError) {
        if let error = takeError() { throw error }
        try writer.flush(sync: true)
    }

    /// Flushes, syncs and closes the file.
    public func close() throws(RecorderError) {
        if let error = takeError() {
            try? writer.close()
            throw error
        }
        try writer.close()
    }

    // MARK: - Encoding

    @inline(__always)
    private func record(_ event: StaticString, thread: String?, _ fields: (inout [UInt8]) -> Void) {
        let threadLabel = thread ?? RecorderThread.current
        do {
            try writer.appendLine { line in
                // The clock is read under the writer's lock and never repeats, so `ts` rises
                // strictly in file order: one clock orders every line, and the trace can be
                // streamed (specs/scaling.md). A tie within a nanosecond moves on by one.
                var now = timespec()
                clock_gettime(CLOCK_MONOTONIC, &now)
                let ts = max(Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec), lastTimestamp + 1)
                lastTimestamp = ts
                TraceLineEncoding.appendRaw(#"{"ev":""#, to: &line)
                TraceLineEncoding.appendRaw(event, to: &line)
                TraceLineEncoding.appendRaw(#"","proc":"#, to: &line)
                TraceLineEncoding.appendString(proc, to: &line)
                TraceLineEncoding.appendRaw(#","thread":"#, to: &line)
                TraceLineEncoding.appendString(threadLabel, to: &line)
                TraceLineEncoding.appendRaw(#","ts":"#, to: &line)
                TraceLineEncoding.appendInteger(ts, to: &line)
                fields(&line)
                line.append(UInt8(ascii: "}"))
            }
        } catch {
            errorLock.withLock { if firstError == nil { firstError = error } }
        }
    }

    private func takeError() -> RecorderError? {
        errorLock.withLock {
            defer { firstError = nil }
            return firstError
        }
    }

    @inline(__always)
    private static func field(_ name: StaticString, _ value: String, _ line: inout [UInt8]) {
        line.append(UInt8(ascii: ","))
        line.append(UInt8(ascii: "\""))
        TraceLineEncoding.appendRaw(name, to: &line)
        line.append(UInt8(ascii: "\""))
        line.append(UInt8(ascii: ":"))
        TraceLineEncoding.appendString(value, to: &line)
    }

    /// `txn` and `reset` of a commit line, written only when they say something (a plain
    /// commit's line stays as it always was).
    @inline(__always)
    private static func commitKind(txn: String?, reset: Bool, _ line: inout [UInt8]) {
        if let txn { field("txn", txn, &line) }
        if reset { TraceLineEncoding.appendRaw(#","reset":true"#, to: &line) }
    }

    private static func offsets(_ offsets: [Partition: Int64], _ line: inout [UInt8]) {
        partitionMap(#","offsets":{"#, offsets, &line) { TraceLineEncoding.appendInteger($0, to: &$1) }
    }

    /// `opening` (which names the field and opens the object), then `"topic/partition": value, ...}`.
    @inline(__always)
    private static func partitionMap<Value>(_ opening: StaticString, _ map: [Partition: Value], _ line: inout [UInt8],
                                            _ appendValue: (Value, inout [UInt8]) -> Void) {
        TraceLineEncoding.appendRaw(opening, to: &line)
        var first = true
        for (partition, value) in map {
            if !first { line.append(UInt8(ascii: ",")) }
            first = false
            TraceLineEncoding.appendKey(partition, to: &line)
            line.append(UInt8(ascii: ":"))
            appendValue(value, &line)
        }
        line.append(UInt8(ascii: "}"))
    }
}
