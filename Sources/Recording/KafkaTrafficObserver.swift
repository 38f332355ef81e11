import CommitRecorder
import KafkaWire
import NIOCore

/// Watches one proxied connection and records its offset traffic: OffsetCommit, OffsetFetch,
/// TxnOffsetCommit and the transaction steps around it (specs/recording.md, "Transactions"), and
/// the resets OffsetDelete and DeleteGroups.
///
/// Requests are decoded when the proxy has read them whole and before it forwards their last
/// byte, so a `send` line is always written before the broker can apply the commit; responses
/// are decoded before they are forwarded, so an `ack` line is written before the client learns
/// the outcome. Every event of the connection is in the connection's thread (`conn-N`), in the
/// order the proxy saw it, and each `send` names the connection: Kafka brokers handle one
/// connection's requests in order, which is the FIFO claim `conn` makes.
///
/// Each line is out of the process (``TraceLineSink``) before this returns the bytes it describes
/// for forwarding, so a proxy killed at any moment has told no client of a commit, and let no
/// commit reach the broker, that its trace lacks. A line that cannot be written stops the
/// connection instead (the bytes come back as `nil`): the client then sees a dropped connection,
/// which is what the trace can truthfully say.
///
/// Decoding never stops forwarding: a frame that cannot be decoded is logged and passed on as it
/// is; a stream whose framing is lost is passed on undecoded from then on.
final class KafkaTrafficObserver {
    /// What a request in flight was, keyed by correlation id.
    private enum InFlight {
        /// An OffsetCommit or TxnOffsetCommit (its answer is read per partition).
        case commit(id: String, partitions: [CommitRecorder.Partition])
        /// An OffsetDelete, recorded as a reset to -1 of its partitions.
        case offsetDeletion(id: String, partitions: [CommitRecorder.Partition])
        /// A DeleteGroups, one reset to -1 per group whose partitions the proxy had seen.
        case groupDeletions([(id: String, group: String)])
        case fetch(groups: [(id: String, group: String, partitions: Set<CommitRecorder.Partition>)])
        /// An EndTxn of transaction `txn`.
        case end(txn: String)
        /// AddPartitionsToTxn or AddOffsetsToTxn: when accepted, earlier transactions of these
        /// transactional ids are complete.
        case transactionSteps([(transactionalID: String, txn: String)])
        /// An InitProducerId of a transactional id: when accepted, its ended transactions are complete.
        case producerInit(transactionalID: String)
        case other(apiKey: KafkaAPIKey, version: Int16)
    }

    /// Requests that change or read committed offsets, or steer transactions: one that cannot be
    /// decoded is forwarded unrecorded and counted (``UnrecordedTraffic``).
    private static let recordedKinds: Set<KafkaAPIKey> = [
        .offsetCommit, .offsetFetch, .txnOffsetCommit, .offsetDelete, .deleteGroups, .endTxn, .addOffsetsToTxn,
        .addPartitionsToTxn, .initProducerID,
    ]

    let name: String
    private let shared: ProxyRecordingState
    private var requests = KafkaFrameSplitter()
    private var responses = KafkaFrameSplitter()
    private var inFlight: [Int32: (apiKey: KafkaAPIKey, version: Int16, what: InFlight)] = [:]
    /// Requests waiting for an answer the proxy will read (for tests: it must not grow without bound).
    var inFlightCount: Int { inFlight.count }
    /// Response bytes read but not yet forwarded (only while rewriting broker addresses).
    private var unforwarded: ByteBuffer?
    /// Set when a trace line could not be written: nothing more is forwarded.
    private(set) var traceFailed = false

    init(name: String, shared: ProxyRecordingState) {
        self.name = name
        self.shared = shared
    }

    // MARK: - Client to broker

    /// Observes bytes from the client; they are forwarded unchanged (`nil`: the trace failed,
    /// close the connection instead).
    func clientBytes(_ chunk: ByteBuffer) -> [ByteBuffer]? {
        guard !traceFailed else { return nil }
        let wasDecodable = !requests.isUndecodable
        for frame in requests.feed(chunk) { request(frame) }
        if wasDecodable, let failure = requests.failure {
            shared.log("proxy: \(name): client stream no longer decodable (\(failure)); forwarding it undecoded")
        }
        return traceFailed ? nil : [chunk]
    }

    /// Notes the outcome of writing a line: a line that did not reach the file stops forwarding.
    private func wrote(_ written: Bool) {
        guard !written, !traceFailed else { return }
        traceFailed = true
        shared.log("proxy: \(name): cannot write the trace (\(shared.recorder.pendingErrorDescription)); closing the connection instead of forwarding what the trace would miss")
    }

    private func request(_ frame: ByteBuffer) {
        let header: KafkaRequestHeader
        let body: ByteBuffer
        do {
            (header, body) = try KafkaRequestHeader.decode(frame: frame)
        } catch {
            shared.log("proxy: \(name): undecodable request header (\(error)); forwarded as is")
            return
        }
        shared.countRequest(header.apiKey)
        var what = InFlight.other(apiKey: header.apiKey, version: header.apiVersion)
        let client = header.clientID
        do {
            if Self.recordedKinds.contains(header.apiKey) {
                shared.noteOnce("proxy: clients speak \(header.apiKey) v\(header.apiVersion)")
            }
            let version = header.apiVersion, correlation = header.correlationID
            switch header.apiKey {
            case .offsetCommit:
                what = commitRequest(try OffsetCommitRequest(version: version, body: body), correlation: correlation, client: client) ?? what
            case .txnOffsetCommit:
                what = txnCommitRequest(try TxnOffsetCommitRequest(version: version, body: body), correlation: correlation, client: client) ?? what
            case .offsetFetch:
                what = fetchRequest(try OffsetFetchRequest(version: version, body: body), correlation: correlation, client: client) ?? what
            case .offsetDelete:
                what = offsetDeleteRequest(try OffsetDeleteRequest(version: version, body: body), correlation: correlation, client: client) ?? what
            case .deleteGroups:
                what = deleteGroupsRequest(try DeleteGroupsRequest(version: version, body: body), correlation: correlation, client: client) ?? what
            case .endTxn:
                what = endRequest(try EndTxnRequest(version: version, body: body))
            case .addPartitionsToTxn:
                let request = try AddPartitionsToTxnRequest(version: version, body: body)
                // Verify-only entries (brokers checking a transaction, v4+) start nothing.
                what = stagingStep(request.transactions.filter { !$0.verifyOnly }.map {
                    ProducerSession(transactionalID: $0.transactionalID, producerID: $0.producerID, epoch: $0.producerEpoch)
                }) ?? what
            case .addOffsetsToTxn:
                let request = try AddOffsetsToTxnRequest(version: version, body: body)
                what = stagingStep([ProducerSession(transactionalID: request.transactionalID, producerID: request.producerID,
                                                    epoch: request.producerEpoch)]) ?? what
            case .initProducerID:
                if let id = try InitProducerIdRequest(version: version, body: body).transactionalID { what = .producerInit(transactionalID: id) }
            case .writeTxnMarkers:
                // Brokers' transaction markers make staged offsets visible or discard them.
                shared.forwardedUnrecorded(.notDecoded(header.apiKey))
            default:
                break
            }
        } catch {
            shared.log("proxy: \(name): undecodable \(header.apiKey) v\(header.apiVersion) request \(header.correlationID) (\(error)); forwarded as is, not recorded")
            shared.forwardedUnrecorded(.undecodable(header.apiKey, version: header.apiVersion))
        }
        // Only answers the proxy reads are remembered: other requests may never be answered
        // (a Produce with acks=0), and remembering them would grow without bound.
        switch what {
        case .other(let apiKey, _) where apiKey != .metadata && apiKey != .findCoordinator:
            break
        default:
            inFlight[header.correlationID] = (header.apiKey, header.apiVersion, what)
        }
    }

    /// The offsets of a commit request, the metadata strings of its partitions, and whether any of
    /// them marks the commit as an intended rewind (`commitcheck:reset`).
    private func offsets(of topics: [OffsetCommitRequest.Topic]) -> (offsets: [CommitRecorder.Partition: Int64], metadata: Set<String>, reset: Bool) {
        var offsets: [CommitRecorder.Partition: Int64] = [:]
        var metadata: Set<String> = []
        var reset = false
        for topic in topics {
            let topicName = shared.topicName(name: topic.name, id: topic.topicID)
            for partition in topic.partitions {
                offsets[CommitRecorder.Partition(topicName, partition.partitionIndex)] = partition.committedOffset
                guard let text = partition.committedMetadata else { continue }
                let (rest, marked) = Self.withoutResetMark(text)
                reset = reset || marked
                if !rest.isEmpty || !marked { metadata.insert(rest) }
            }
        }
        return (offsets, metadata, reset)
    }

    /// Metadata without its `commitcheck:reset` token, and whether it had one (a client marks an
    /// intended rewind that way; the rest may still be `commitcheck:ID`).
    static func withoutResetMark(_ metadata: String) -> (rest: String, marked: Bool) {
        let tokens = metadata.split(separator: " ", omittingEmptySubsequences: true)
        let kept = tokens.filter { $0 != "commitcheck:reset" }
        guard kept.count != tokens.count else { return (metadata, false) }
        return (kept.joined(separator: " "), true)
    }

    private func commitRequest(_ request: OffsetCommitRequest, correlation: Int32, client: String?) -> InFlight? {
        let (offsets, metadata, reset) = offsets(of: request.topics)
        guard !offsets.isEmpty else { return nil }
        shared.noteSeen(group: request.groupID, offsets.keys)
        let id = shared.commitID(metadata: metadata, fallback: "\(name)-\(correlation)")
        wrote(shared.recorder.send(commit: id, conn: name, group: request.groupID, offsets: offsets, reset: reset,
                                   client: client, thread: name))
        return .commit(id: id, partitions: Array(offsets.keys))
    }

    /// A TxnOffsetCommit: a commit staged in the transaction of its producer id and epoch.
    private func txnCommitRequest(_ request: TxnOffsetCommitRequest, correlation: Int32, client: String?) -> InFlight? {
        let (offsets, metadata, reset) = offsets(of: request.topics)
        guard !offsets.isEmpty else { return nil }
        shared.noteSeen(group: request.groupID, offsets.keys)
        let id = shared.commitID(metadata: metadata, fallback: "\(name)-\(correlation)")
        let session = ProducerSession(transactionalID: request.transactionalID, producerID: request.producerID, epoch: request.producerEpoch)
        let written = shared.withTransactions { book in
            shared.recorder.send(commit: id, conn: name, group: request.groupID, offsets: offsets, txn: book.staging(session),
                                 reset: reset, client: client, thread: name)
        }
        wrote(written)
        return .commit(id: id, partitions: Array(offsets.keys))
    }

    /// An OffsetDelete: a reset of its partitions to -1 ("no committed offset").
    private func offsetDeleteRequest(_ request: OffsetDeleteRequest, correlation: Int32, client: String?) -> InFlight? {
        var offsets: [CommitRecorder.Partition: Int64] = [:]
        for topic in request.topics {
            let topicName = shared.topicName(name: topic.name, id: topic.topicID)
            for index in topic.partitionIndexes { offsets[CommitRecorder.Partition(topicName, index)] = -1 }
        }
        guard !offsets.isEmpty else { return nil }
        let id = "\(name)-\(correlation)"
        wrote(shared.recorder.send(commit: id, conn: name, group: request.groupID, offsets: offsets, reset: true,
                                   client: client, thread: name))
        return .offsetDeletion(id: id, partitions: Array(offsets.keys))
    }

    /// A DeleteGroups: per group, a reset to -1 of every partition of it the proxy has seen.
    private func deleteGroupsRequest(_ request: DeleteGroupsRequest, correlation: Int32, client: String?) -> InFlight? {
        var deletions: [(id: String, group: String)] = []
        for (index, group) in request.groupNames.enumerated() {
            let partitions = shared.seenPartitions(group: group)
            guard !partitions.isEmpty else {
                shared.forwardedUnrecorded(.deleteOfUnseenGroup)
                continue
            }
            let id = "\(name)-\(correlation)" + (request.groupNames.count > 1 ? "-\(index)" : "")
            let offsets = Dictionary(uniqueKeysWithValues: partitions.map { ($0, Int64(-1)) })
            wrote(shared.recorder.send(commit: id, conn: name, group: group, offsets: offsets, reset: true,
                                       client: client, thread: name))
            deletions.append((id, group))
        }
        return deletions.isEmpty ? nil : .groupDeletions(deletions)
    }

    private func endRequest(_ request: EndTxnRequest) -> InFlight {
        let session = ProducerSession(transactionalID: request.transactionalID, producerID: request.producerID, epoch: request.producerEpoch)
        let (txn, written) = shared.withTransactions { book in
            let txn = book.ending(session)
            return (txn, shared.recorder.end(txn: txn, commit: request.committed, thread: name))
        }
        wrote(written)
        return .end(txn: txn)
    }

    /// AddPartitionsToTxn / AddOffsetsToTxn: the step starts (or continues) each session's transaction.
    private func stagingStep(_ sessions: [ProducerSession]) -> InFlight? {
        guard !sessions.isEmpty else { return nil }
        let steps = shared.withTransactions { book in
            sessions.map { (transactionalID: $0.transactionalID, txn: book.staging($0)) }
        }
        return .transactionSteps(steps)
    }

    private func fetchRequest(_ request: OffsetFetchRequest, correlation: Int32, client: String?) -> InFlight? {
        var groups: [(id: String, group: String, partitions: Set<CommitRecorder.Partition>)] = []
        for (index, group) in request.groups.enumerated() {
            guard let topics = group.topics else {
                shared.forwardedUnrecorded(.fetchOfAllPartitions)
                continue
            }
            var partitions: [CommitRecorder.Partition] = []
            for topic in topics {
                let topicName = shared.topicName(name: topic.name, id: topic.topicID)
                for index in topic.partitionIndexes { partitions.append(CommitRecorder.Partition(topicName, index)) }
            }
            guard !partitions.isEmpty else { continue }
            let id = "\(name)-\(correlation)" + (request.groups.count > 1 ? "-\(index)" : "")
            shared.noteSeen(group: group.groupID, partitions)
            wrote(shared.recorder.fetch(group: group.groupID, partitions: partitions, fetch: id, client: client, thread: name))
            groups.append((id, group.groupID, Set(partitions)))
        }
        return groups.isEmpty ? nil : .fetch(groups: groups)
    }

    // MARK: - Broker to client

    /// Observes bytes from the broker; returns what to forward (the same bytes unless rewriting;
    /// `nil`: the trace failed, close the connection instead).
    func brokerBytes(_ chunk: ByteBuffer) -> [ByteBuffer]? {
        guard !traceFailed else { return nil }
        let out = brokerBytesToForward(chunk)
        return traceFailed ? nil : out
    }

    private func brokerBytesToForward(_ chunk: ByteBuffer) -> [ByteBuffer] {
        guard shared.rewritesBrokers, !responses.isUndecodable else {
            let wasDecodable = !responses.isUndecodable
            for frame in responses.feed(chunk) { _ = response(frame) }
            if wasDecodable, let failure = responses.failure {
                shared.log("proxy: \(name): broker stream no longer decodable (\(failure)); forwarding it undecoded")
            }
            return [chunk]
        }
        var held = unforwarded ?? ByteBufferAllocator().buffer(capacity: chunk.readableBytes)
        unforwarded = nil
        held.writeImmutableBuffer(chunk)
        var out: [ByteBuffer] = []
        for frame in responses.feed(chunk) {
            let original = held.readSlice(length: 4 + frame.readableBytes)!
            out.append(response(frame) ?? original)
        }
        if responses.isUndecodable {
            shared.log("proxy: \(name): broker stream no longer decodable (\(responses.failure!)); forwarding it undecoded")
            out.append(held)
        } else if held.readableBytes > 0 {
            unforwarded = held
        }
        return out
    }

    /// Records what the response says; returns a replacement frame (with its size) when rewriting.
    private func response(_ frame: ByteBuffer) -> ByteBuffer? {
        let correlation: Int32
        do {
            correlation = try KafkaResponseHeader.correlationID(of: frame)
        } catch {
            shared.log("proxy: \(name): undecodable response header (\(error)); forwarded as is")
            return nil
        }
        // Answers to requests the proxy does not read pass through.
        guard let (apiKey, version, what) = inFlight.removeValue(forKey: correlation) else { return nil }
        do {
            switch what {
            case .other where apiKey == .metadata:
                shared.learn(try MetadataResponse(version: version, body: try body(of: frame, apiKey, version)))
            case .other:
                break
            case let .commit(id, partitions):
                let body = try body(of: frame, apiKey, version)
                let topics = apiKey == .txnOffsetCommit
                    ? try TxnOffsetCommitResponse(version: version, body: body).topics
                    : try OffsetCommitResponse(version: version, body: body).topics
                ack(id, partitions, codes: codes(topics)) { $0.offsetCommitOutcome }
            case let .offsetDeletion(id, partitions):
                let answer = try OffsetDeleteResponse(version: version, body: try body(of: frame, apiKey, version))
                // A top-level error is the answer for every partition.
                let partitionCodes = answer.errorCode != 0
                    ? Dictionary(uniqueKeysWithValues: partitions.map { ($0, KafkaErrorCode(answer.errorCode)) })
                    : codes(answer.topics)
                ack(id, partitions, codes: partitionCodes) { $0.offsetDeleteOutcome }
            case let .groupDeletions(deletions):
                let answer = try DeleteGroupsResponse(version: version, body: try body(of: frame, apiKey, version))
                for (id, group) in deletions {
                    let status: CommitRecorder.Outcome
                    switch answer.results.first(where: { $0.groupID == group }).map({ KafkaErrorCode($0.errorCode).offsetDeleteOutcome }) {
                    case .applied?: status = .ok
                    case .rejected?: status = .fail
                    case .ambiguous?, nil: status = .unknown
                    }
                    wrote(shared.recorder.ack(commit: id, status: status, thread: name))
                }
            case let .fetch(groups):
                fetchResponse(try OffsetFetchResponse(version: version, body: try body(of: frame, apiKey, version)), groups: groups)
            case let .end(txn):
                let code = KafkaErrorCode(try EndTxnResponse(version: version, body: try body(of: frame, apiKey, version)).errorCode)
                let status: CommitRecorder.Outcome
                switch code.endTxnOutcome {
                case .ended: status = .ok
                case .refused: status = .fail
                case .ambiguous: status = .unknown
                }
                wrote(shared.recorder.ended(txn: txn, status: status, error: code == .noError ? nil : code.name, thread: name))
            case let .transactionSteps(steps):
                let body = try body(of: frame, apiKey, version)
                let accepted: [(transactionalID: String, txn: String)]
                if apiKey == .addOffsetsToTxn {
                    accepted = try AddOffsetsToTxnResponse(version: version, body: body).errorCode == 0 ? steps : []
                } else {
                    let answer = try AddPartitionsToTxnResponse(version: version, body: body)
                    accepted = answer.errorCode != 0 ? [] : steps.filter { step in
                        // v0-v3 answer the one transaction without naming it.
                        guard let result = answer.results.first(where: { $0.transactionalID == step.transactionalID })
                                ?? (answer.results.count == 1 && answer.results[0].transactionalID == nil ? answer.results[0] : nil)
                        else { return false }
                        return result.topics.allSatisfy { $0.partitions.allSatisfy { $0.errorCode == 0 } }
                    }
                }
                for step in accepted { complete(step.transactionalID, except: step.txn) }
            case let .producerInit(transactionalID):
                if try InitProducerIdResponse(version: version, body: try body(of: frame, apiKey, version)).errorCode == 0 {
                    complete(transactionalID, except: nil)
                }
            }
        } catch {
            shared.log("proxy: \(name): undecodable \(apiKey) v\(version) response \(correlation) (\(error)); forwarded as is")
            wrote(answeredUnknown(what))
        }
        guard shared.rewritesBrokers, apiKey == .metadata || apiKey == .findCoordinator else { return nil }
        do {
            return try KafkaFrame.rewritingBrokerAddresses(responseFrame: frame, apiKey: apiKey, apiVersion: version) { host, port, node in
                shared.rewrite(host: host, port: port, node: node)
            }
        } catch {
            shared.log("proxy: \(name): cannot rewrite broker addresses in \(apiKey) v\(version) (\(error)); forwarded as is")
            return nil
        }
    }

    private func body(of frame: ByteBuffer, _ apiKey: KafkaAPIKey, _ version: Int16) throws(KafkaWireError) -> ByteBuffer {
        try KafkaResponseHeader.decode(frame: frame, apiKey: apiKey, apiVersion: version).body
    }

    /// Each answered partition's error code.
    private func codes(_ topics: [KafkaTopic<KafkaPartitionResult>]) -> [CommitRecorder.Partition: KafkaErrorCode] {
        var codes: [CommitRecorder.Partition: KafkaErrorCode] = [:]
        for topic in topics {
            let topicName = shared.topicName(name: topic.name, id: topic.topicID)
            for partition in topic.partitions {
                codes[CommitRecorder.Partition(topicName, partition.partitionIndex)] = KafkaErrorCode(partition.errorCode)
            }
        }
        return codes
    }

    /// The `ack` of a commit (or reset) from its partitions' codes: `ok` when all applied, `ok`
    /// with `errors` when some were refused before any write, `fail` when all were, `unknown` when
    /// any code (or a partition missing from the answer) means the write may have happened.
    private func ack(_ id: String, _ partitions: [CommitRecorder.Partition], codes: [CommitRecorder.Partition: KafkaErrorCode],
                     _ outcome: (KafkaErrorCode) -> OffsetCommitOutcome) {
        var rejected: [CommitRecorder.Partition: String] = [:]
        var ambiguous = false
        for partition in partitions {
            guard let code = codes[partition] else { ambiguous = true; continue }
            switch outcome(code) {
            case .applied: break
            case .rejected: rejected[partition] = code.name
            case .ambiguous: ambiguous = true
            }
        }
        let status: CommitRecorder.Outcome
        if ambiguous {
            // A write that may have happened: the commit may or may not have applied anywhere.
            status = .unknown
            rejected = [:]
        } else if rejected.count == partitions.count {
            status = .fail
            rejected = [:]
        } else {
            status = .ok
        }
        wrote(shared.recorder.ack(commit: id, status: status, errors: rejected, thread: name))
    }

    /// `completed` for the transactional id's ended transactions other than `current`.
    private func complete(_ transactionalID: String, except current: String?) {
        let written = shared.withTransactions { book in
            book.completing(transactionalID, except: current).allSatisfy { shared.recorder.completed(txn: $0, thread: name) }
        }
        wrote(written)
    }

    /// The request will get no answer the proxy can read (undecodable, or the connection is gone):
    /// what it asked for may or may not have happened.
    @discardableResult
    private func answeredUnknown(_ what: InFlight) -> Bool {
        switch what {
        case let .commit(id, _), let .offsetDeletion(id, _):
            return shared.recorder.ack(commit: id, status: .unknown, thread: name)
        case let .groupDeletions(deletions):
            return deletions.allSatisfy { shared.recorder.ack(commit: $0.id, status: .unknown, thread: name) }
        case let .end(txn):
            return shared.recorder.ended(txn: txn, status: .unknown, thread: name)
        default:
            return true
        }
    }

    private func fetchResponse(_ response: OffsetFetchResponse, groups: [(id: String, group: String, partitions: Set<CommitRecorder.Partition>)]) {
        for (index, requested) in groups.enumerated() {
            // v0-7 answer one group without naming it; v8+ name each group.
            let answer = response.groups.first { $0.groupID == requested.group }
                ?? (response.groups.count == 1 && response.groups[0].groupID == nil && index == 0 ? response.groups[0] : nil)
            guard let answer, answer.errorCode == 0 else { continue }
            var offsets: [CommitRecorder.Partition: Int64] = [:]
            for topic in answer.topics {
                let topicName = shared.topicName(name: topic.name, id: topic.topicID)
                for partition in topic.partitions where partition.errorCode == 0 {
                    let key = CommitRecorder.Partition(topicName, partition.partitionIndex)
                    if requested.partitions.contains(key) { offsets[key] = max(partition.committedOffset, -1) }
                }
            }
            if !offsets.isEmpty { wrote(shared.recorder.fetched(fetch: requested.id, offsets: offsets, thread: name)) }
        }
    }

    // MARK: - End

    /// The connection is gone: commits, resets and transaction ends still in flight may or may not
    /// have taken effect.
    func ended() {
        for (_, entry) in inFlight.sorted(by: { $0.key < $1.key }) {
            answeredUnknown(entry.what)
        }
        inFlight = [:]
    }
}
