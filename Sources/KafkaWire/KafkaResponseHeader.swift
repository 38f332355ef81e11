import NIOCore

/// The header at the start of every response frame.
///
/// Response header v0 is just the correlation id (int32); v1, used by flexible response
/// versions, appends a tagged-field section. ApiVersions responses always use v0. A
/// response does not say which API it answers: read `correlationID(of:)` first, look up
/// the (apiKey, apiVersion) remembered from the request with that correlation id, then
/// parse the full header to find the body.
public struct KafkaResponseHeader: Sendable, Equatable {
    public var correlationID: Int32
    /// 0 or 1, from `KafkaAPI.responseHeaderVersion(apiKey:version:)`.
    public var headerVersion: Int16
    /// Bytes from the start of the frame (after the size prefix) to the body.
    public var headerLength: Int

    /// The correlation id, the first 4 bytes of every response frame.
    public static func correlationID(of frame: ByteBuffer) throws(KafkaWireError) -> Int32 {
        guard let id = frame.getInteger(at: frame.readerIndex, endianness: .big, as: Int32.self) else {
            throw .truncated(field: "ResponseHeader.CorrelationId")
        }
        return id
    }

    /// Parses the header of a response to `apiKey` at `apiVersion` (the request's).
    /// `frame` is not consumed.
    public init(frame: ByteBuffer, apiKey: KafkaAPIKey, apiVersion: Int16) throws(KafkaWireError) {
        let headerVersion = KafkaAPI.responseHeaderVersion(apiKey: apiKey, version: apiVersion)
        var r = KafkaReader(frame, flexible: headerVersion >= 1)
        self.correlationID = try r.int32("ResponseHeader.CorrelationId")
        try r.skipTaggedFields("ResponseHeader")
        self.headerVersion = headerVersion
        self.headerLength = r.readerIndex - frame.readerIndex
    }

    /// The header and the body (the rest of the frame after the header).
    public static func decode(
        frame: ByteBuffer, apiKey: KafkaAPIKey, apiVersion: Int16
    ) throws(KafkaWireError) -> (header: KafkaResponseHeader, body: ByteBuffer) {
        let header = try KafkaResponseHeader(frame: frame, apiKey: apiKey, apiVersion: apiVersion)
        return (header, header.body(of: frame))
    }

    /// The body of `frame`, the frame this header was parsed from.
    public func body(of frame: ByteBuffer) -> ByteBuffer {
        var f = frame
        f.moveReaderIndex(forwardBy: min(headerLength, f.readableBytes))
        return f
    }
}
