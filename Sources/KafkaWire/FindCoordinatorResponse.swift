import NIOCore

/// A FindCoordinator (api key 10) response body, versions 0 through 6, normalised to a
/// list of coordinators.
///
/// - v0: ErrorCode, NodeId, Host, Port
/// - v1-v2: ThrottleTimeMs, ErrorCode, ErrorMessage (nullable), NodeId, Host, Port
/// - v3: first flexible version
/// - v4+: ThrottleTimeMs, Coordinators[Key, NodeId, Host, Port, ErrorCode, ErrorMessage]
///   (batched lookups, KIP-699; v5 and v6 only add error codes / key types)
///
/// v0-v3 decode to exactly one coordinator whose `key` is nil (the request names it).
public struct FindCoordinatorResponse: KafkaMessage, Equatable {
    public static let apiKey = KafkaAPIKey.findCoordinator
    public static let supportedVersions: ClosedRange<Int16> = 0...6

    /// v1+; 0 before.
    public var throttleTimeMs: Int32
    public var coordinators: [Coordinator]

    public struct Coordinator: Sendable, Equatable {
        /// The coordinator key (group id, transactional id...), v4+; nil before.
        public var key: String?
        /// -1 with an error.
        public var nodeID: Int32
        /// "" with an error.
        public var host: String
        /// -1 with an error.
        public var port: Int32
        public var errorCode: Int16
        /// v1+; nil before or without an error.
        public var errorMessage: String?

        public init(key: String?, nodeID: Int32, host: String, port: Int32, errorCode: Int16, errorMessage: String?) {
            self.key = key
            self.nodeID = nodeID
            self.host = host
            self.port = port
            self.errorCode = errorCode
            self.errorMessage = errorMessage
        }
    }

    public init(throttleTimeMs: Int32 = 0, coordinators: [Coordinator]) {
        self.throttleTimeMs = throttleTimeMs
        self.coordinators = coordinators
    }

    /// Decodes a response body (the frame after the response header); `version` is the
    /// request's version. The whole body must be consumed.
    public init(version: Int16, body: ByteBuffer) throws(KafkaWireError) {
        var spans: [BrokerAddressSpan] = []
        try self.init(version: version, body: body, spans: &spans)
    }

    init(version: Int16, body: ByteBuffer, spans: inout [BrokerAddressSpan]) throws(KafkaWireError) {
        try Self.requireSupported(version)
        var r = KafkaReader(body, flexible: version >= 3)
        throttleTimeMs = version >= 1 ? try r.int32("FindCoordinatorResponse.ThrottleTimeMs") : 0
        if version <= 3 {
            let errorCode = try r.int16("FindCoordinatorResponse.ErrorCode")
            let message = version >= 1 ? try r.nullableString("FindCoordinatorResponse.ErrorMessage") : nil
            let nodeID = try r.int32("FindCoordinatorResponse.NodeId")
            let start = r.readerIndex
            let host = try r.string("FindCoordinatorResponse.Host")
            let port = try r.int32("FindCoordinatorResponse.Port")
            spans = [BrokerAddressSpan(start: start, end: r.readerIndex, nodeID: nodeID, host: host, port: port)]
            coordinators = [Coordinator(
                key: nil, nodeID: nodeID, host: host, port: port, errorCode: errorCode, errorMessage: message)]
        } else {
            var found: [BrokerAddressSpan] = []
            coordinators = try r.array("FindCoordinatorResponse.Coordinators", minElementSize: 12) {
                (r: inout KafkaReader) throws(KafkaWireError) -> Coordinator in
                let key = try r.string("FindCoordinatorResponse.Coordinators.Key")
                let nodeID = try r.int32("FindCoordinatorResponse.Coordinators.NodeId")
                let start = r.readerIndex
                let host = try r.string("FindCoordinatorResponse.Coordinators.Host")
                let port = try r.int32("FindCoordinatorResponse.Coordinators.Port")
                found.append(BrokerAddressSpan(start: start, end: r.readerIndex, nodeID: nodeID, host: host, port: port))
                let errorCode = try r.int16("FindCoordinatorResponse.Coordinators.ErrorCode")
                let message = try r.nullableString("FindCoordinatorResponse.Coordinators.ErrorMessage")
                try r.skipTaggedFields("FindCoordinatorResponse.Coordinators")
                return Coordinator(
                    key: key, nodeID: nodeID, host: host, port: port, errorCode: errorCode, errorMessage: message)
            }
            spans = found
        }
        try r.skipTaggedFields("FindCoordinatorResponse")
        try r.expectEnd("FindCoordinatorResponse v\(version)")
    }

    /// Re-encodes a FindCoordinator response body with every coordinator's host and port
    /// replaced by `transform(host, port, nodeID)`; every other byte is copied unchanged.
    /// `transform` is also called for entries carrying an error (typically nodeID -1,
    /// host "", port -1): return the input unchanged to leave them as they are. The body
    /// is fully decoded first, so invalid input throws rather than being half-rewritten.
    public static func rewritingBrokers(
        version: Int16, frameBody: ByteBuffer,
        _ transform: (_ host: String, _ port: Int32, _ nodeID: Int32) -> (host: String, port: Int32)
    ) throws(KafkaWireError) -> ByteBuffer {
        var spans: [BrokerAddressSpan] = []
        _ = try FindCoordinatorResponse(version: version, body: frameBody, spans: &spans)
        return try BrokerAddressSpan.rewrite(
            body: frameBody, spans: spans, flexible: version >= 3,
            field: "FindCoordinatorResponse.Host", transform)
    }
}
