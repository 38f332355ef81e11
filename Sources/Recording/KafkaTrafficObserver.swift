import CommitRecorder
import KafkaWire
import NIOCore

/// Watches one proxied connection and records its OffsetCommit and OffsetFetch traffic.
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
        case commit(id: String, partitions: [CommitRecorder.Partition])
        case fetch(groups: [(id: String, group: String, partitions: Set<CommitRecorder.Partition>)])
        case other(apiKey: KafkaAPIKey, version: Int16)
    }

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
        do {
            if header.apiKey == .offsetCommit || header.apiKey == .offsetFetch {
                shared.noteOnce("proxy: clients speak \(header.apiKey) v\(header.apiVersion)")
            }
            switch header.apiKey {
            case .offsetCommit:
                what = commitRequest(try OffsetCommitRequest(version: header.apiVersion, body: body), correlation: header.correlationID) ?? what
            case .offsetFetch:
                what = fetchRequest(try OffsetFetchRequest(version: header.apiVersion, body: body), correlation: header.correlationID) ?? what
            default:
                break
            }
        } catch {
            shared.log("proxy: \(name): undecodable \(header.apiKey) v\(header.apiVersion) request \(header.correlationID) (\(error)); forwarded as is, not recorded")
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

    private func commitRequest(_ request: OffsetCommitRequest, correlation: Int32) -> InFlight? {
        var offsets: [CommitRecorder.Partition: Int64] = [:]
        var metadata: Set<String> = []
        for topic in request.topics {
            let topicName = shared.topicName(name: topic.name, id: topic.topicID)
            for partition in topic.partitions {
                offsets[CommitRecorder.Partition(topicName, partition.partitionIndex)] = partition.committedOffset
                if let text = partition.committedMetadata { metadata.insert(text) }
            }
        }
        guard !offsets.isEmpty else { return nil }
        let id = shared.commitID(metadata: metadata, fallback: "\(name)-\(correlation)")
        wrote(shared.recorder.send(commit: id, conn: name, group: request.groupID, offsets: offsets, thread: name))
        return .commit(id: id, partitions: Array(offsets.keys))
    }

    private func fetchRequest(_ request: OffsetFetchRequest, correlation: Int32) -> InFlight? {
        var groups: [(id: String, group: String, partitions: Set<CommitRecorder.Partition>)] = []
        for (index, group) in request.groups.enumerated() {
            guard let topics = group.topics else {
                shared.warnOnce("proxy: OffsetFetch requests for all of a group's partitions are forwarded but not recorded (the partitions are not known until the answer)")
                continue
            }
            var partitions: [CommitRecorder.Partition] = []
            for topic in topics {
                let topicName = shared.topicName(name: topic.name, id: topic.topicID)
                for index in topic.partitionIndexes { partitions.append(CommitRecorder.Partition(topicName, index)) }
            }
            guard !partitions.isEmpty else { continue }
            let id = "\(name)-\(correlation)" + (request.groups.count > 1 ? "-\(index)" : "")
            wrote(shared.recorder.fetch(group: group.groupID, partitions: partitions, fetch: id, thread: name))
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
            case let .commit(id, partitions):
                let (header, body) = try KafkaResponseHeader.decode(frame: frame, apiKey: apiKey, apiVersion: version)
                _ = header
                commitResponse(try OffsetCommitResponse(version: version, body: body), id: id, partitions: partitions)
            case let .fetch(groups):
                let (_, body) = try KafkaResponseHeader.decode(frame: frame, apiKey: apiKey, apiVersion: version)
                fetchResponse(try OffsetFetchResponse(version: version, body: body), groups: groups)
            case .other where apiKey == .metadata:
                let (_, body) = try KafkaResponseHeader.decode(frame: frame, apiKey: apiKey, apiVersion: version)
                shared.learn(try MetadataResponse(version: version, body: body))
            default:
                break
            }
        } catch {
            shared.log("proxy: \(name): undecodable \(apiKey) v\(version) response \(correlation) (\(error)); forwarded as is")
            if case let .commit(id, _) = what { wrote(shared.recorder.ack(commit: id, status: .unknown, thread: name)) }
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

    private func commitResponse(_ response: OffsetCommitResponse, id: String, partitions: [CommitRecorder.Partition]) {
        var outcomes: [CommitRecorder.Partition: KafkaErrorCode] = [:]
        for topic in response.topics {
            let topicName = shared.topicName(name: topic.name, id: topic.topicID)
            for partition in topic.partitions {
                outcomes[CommitRecorder.Partition(topicName, partition.partitionIndex)] = KafkaErrorCode(partition.errorCode)
            }
        }
        var rejected: [CommitRecorder.Partition: String] = [:]
        var ambiguous = false
        for partition in partitions {
            guard let code = outcomes[partition] else { ambiguous = true; continue }
            switch code.offsetCommitOutcome {
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

    /// The connection is gone: commits still in flight may or may not have applied.
    func ended() {
        for (_, entry) in inFlight.sorted(by: { $0.key < $1.key }) {
            if case let .commit(id, _) = entry.what {
                shared.recorder.ack(commit: id, status: .unknown, thread: name)
            }
        }
        inFlight = [:]
    }
}
