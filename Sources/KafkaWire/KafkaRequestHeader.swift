import NIOCore

/// The header at the start of every request frame.
///
/// Request header v1: apiKey int16, apiVersion int16, correlationId int32, clientId
/// nullable string (always the classic int16-length encoding, never compact). Header v2,
/// used when the request's version is flexible, appends a tagged-field section. The four
/// fields are at the same offsets in both versions, so they are readable for any API key;
/// only `headerLength` (where the body starts) depends on knowing the key's flexible
/// versions, and unknown keys are treated as non-flexible (see `KafkaAPI`).
public struct KafkaRequestHeader: Sendable, Equatable {
    public var apiKey: KafkaAPIKey
    public var apiVersion: Int16
    public var correlationID: Int32
    public var clientID: String?
    /// 1 or 2, from `KafkaAPI.requestHeaderVersion(apiKey:version:)`.
    public var headerVersion: Int16
    /// Bytes from the start of the frame (after the size prefix) to the body.
    public var headerLength: Int

    /// Parses the header at the reader index of `frame` (a frame as returned by
    /// `KafkaFrameSplitter`, without the 4-byte size prefix). `frame` is not consumed.
    public init(frame: ByteBuffer) throws(KafkaWireError) {
        var r = KafkaReader(frame, flexible: false)
        let key = KafkaAPIKey(rawValue: try r.int16("RequestHeader.RequestApiKey"))
        let version = try r.int16("RequestHeader.RequestApiVersion")
        let correlationID = try r.int32("RequestHeader.CorrelationId")
        let clientID = try r.nullableString("RequestHeader.ClientId", compact: false)
        let headerVersion = KafkaAPI.requestHeaderVersion(apiKey: key, version: version)
        if headerVersion >= 2 {
            var tagged = KafkaReader(r.buffer, flexible: true)
            try tagged.skipTaggedFields("RequestHeader")
            r = tagged
        }
        self.apiKey = key
        self.apiVersion = version
        self.correlationID = correlationID
        self.clientID = clientID
        self.headerVersion = headerVersion
        self.headerLength = r.readerIndex - frame.readerIndex
    }

    /// The header and the body (the rest of the frame after the header).
    public static func decode(frame: ByteBuffer) throws(KafkaWireError) -> (header: KafkaRequestHeader, body: ByteBuffer) {
        let header = try KafkaRequestHeader(frame: frame)
        return (header, header.body(of: frame))
    }

    /// The body of `frame`, the frame this header was parsed from.
    public func body(of frame: ByteBuffer) -> ByteBuffer {
        var f = frame
        f.moveReaderIndex(forwardBy: min(headerLength, f.readableBytes))
        return f
    }
}
