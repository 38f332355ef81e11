import NIOCore

/// Where one host string + port pair lies in a response body (absolute byte indices in
/// the body's ByteBuffer: `start` is the host's length prefix, `end` is just after the
/// int32 port, which always directly follows the host in Metadata and FindCoordinator).
struct BrokerAddressSpan: Sendable {
    var start: Int
    var end: Int
    var nodeID: Int32
    var host: String
    var port: Int32

    /// Copies `body` with each span replaced by the transformed host and port; all other
    /// bytes are copied unchanged. `spans` must be in increasing, non-overlapping order.
    static func rewrite(
        body: ByteBuffer, spans: [BrokerAddressSpan], flexible: Bool, field: String,
        _ transform: (_ host: String, _ port: Int32, _ nodeID: Int32) -> (host: String, port: Int32)
    ) throws(KafkaWireError) -> ByteBuffer {
        var out = ByteBufferAllocator().buffer(capacity: body.readableBytes + 64 * spans.count)
        var cursor = body.readerIndex
        for span in spans {
            if let gap = body.getSlice(at: cursor, length: span.start - cursor) {
                out.writeImmutableBuffer(gap)
            }
            let (host, port) = transform(span.host, span.port, span.nodeID)
            try KafkaWriter.writeString(host, flexible: flexible, field: field, to: &out)
            out.writeInteger(port, endianness: .big)
            cursor = span.end
        }
        if let rest = body.getSlice(at: cursor, length: body.writerIndex - cursor) {
            out.writeImmutableBuffer(rest)
        }
        return out
    }
}
