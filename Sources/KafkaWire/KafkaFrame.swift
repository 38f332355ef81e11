import NIOCore

/// Building whole frames (int32 big-endian size + header + body).
public enum KafkaFrame {
    /// A complete frame: the 4-byte size prefix, then `header`'s readable bytes, then
    /// `body`'s. Throws `lengthTooLarge` if the total does not fit an int32.
    public static func make(header: ByteBuffer, body: ByteBuffer) throws(KafkaWireError) -> ByteBuffer {
        let size = header.readableBytes + body.readableBytes
        guard size <= Int(Int32.max) else {
            throw .lengthTooLarge(field: "frame size", length: Int64(size), remaining: Int(Int32.max))
        }
        var out = ByteBufferAllocator().buffer(capacity: 4 + size)
        out.writeInteger(Int32(size), endianness: .big)
        out.writeImmutableBuffer(header)
        out.writeImmutableBuffer(body)
        return out
    }

    /// A whole request frame (size prefix included): the request header (v1, or v2 with an empty
    /// tagged-field section for flexible versions) and `body`.
    public static func request(
        apiKey: KafkaAPIKey, version: Int16, correlationID: Int32, clientID: String?, body: ByteBuffer
    ) throws(KafkaWireError) -> ByteBuffer {
        var header = KafkaWriter(flexible: false, capacity: 32)
        header.int16(apiKey.rawValue)
        header.int16(version)
        header.int32(correlationID)
        try header.string(clientID, "RequestHeader.ClientId")
        if KafkaAPI.requestHeaderVersion(apiKey: apiKey, version: version) >= 2 { header.buffer.writeInteger(UInt8(0)) }
        return try make(header: header.buffer, body: body)
    }

    /// A whole response frame (size prefix included) answering a request of `apiKey` at `version`.
    public static func response(
        apiKey: KafkaAPIKey, version: Int16, correlationID: Int32, body: ByteBuffer
    ) throws(KafkaWireError) -> ByteBuffer {
        var header = KafkaWriter(flexible: false, capacity: 8)
        header.int32(correlationID)
        if KafkaAPI.responseHeaderVersion(apiKey: apiKey, version: version) >= 1 { header.buffer.writeInteger(UInt8(0)) }
        return try make(header: header.buffer, body: body)
    }

    /// For a Metadata or FindCoordinator response frame (as returned by
    /// `KafkaFrameSplitter`, without the size prefix), returns a complete new frame
    /// *including the size prefix*, with the header bytes copied unchanged and the broker
    /// addresses rewritten by `transform(host, port, nodeID)`. Returns nil for any other
    /// API key (forward the original bytes). `apiVersion` is the request's version.
    public static func rewritingBrokerAddresses(
        responseFrame frame: ByteBuffer, apiKey: KafkaAPIKey, apiVersion: Int16,
        _ transform: (_ host: String, _ port: Int32, _ nodeID: Int32) -> (host: String, port: Int32)
    ) throws(KafkaWireError) -> ByteBuffer? {
        guard apiKey == .metadata || apiKey == .findCoordinator else { return nil }
        let header = try KafkaResponseHeader(frame: frame, apiKey: apiKey, apiVersion: apiVersion)
        let body = header.body(of: frame)
        let newBody: ByteBuffer
        if apiKey == .metadata {
            newBody = try MetadataResponse.rewritingBrokers(version: apiVersion, frameBody: body, transform)
        } else {
            newBody = try FindCoordinatorResponse.rewritingBrokers(version: apiVersion, frameBody: body, transform)
        }
        guard let headerBytes = frame.getSlice(at: frame.readerIndex, length: header.headerLength) else {
            throw .truncated(field: "ResponseHeader")
        }
        return try make(header: headerBytes, body: newBody)
    }
}
