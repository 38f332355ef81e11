/// Every way decoding (or re-encoding) Kafka wire data can fail.
///
/// Nothing in `KafkaWire` traps on bad input: truncated frames, hostile lengths, negative
/// sizes, invalid UTF-8 and unknown versions all surface as one of these cases. `field`
/// names the protocol field being read (as in Apache Kafka's JSON schemas, e.g.
/// `"OffsetCommitRequest.Topics.Partitions.CommittedOffset"`), so a message says where the
/// bytes stopped making sense.
public enum KafkaWireError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The bytes ended before `field` was complete.
    case truncated(field: String)
    /// A length or count prefix was negative where that is not allowed (only `-1` means
    /// null, and only for nullable fields).
    case negativeLength(field: String, length: Int64)
    /// A length or count prefix announces more bytes or elements than remain in the
    /// frame (`remaining` is the number of bytes left), or a value too big to encode.
    case lengthTooLarge(field: String, length: Int64, remaining: Int)
    /// A non-nullable string or array was null on the wire.
    case unexpectedNull(field: String)
    /// A string's bytes are not valid UTF-8.
    case invalidUTF8(field: String)
    /// An unsigned varint used more than 5 bytes (more than 32 bits).
    case malformedVarint(field: String)
    /// A boolean byte was neither 0 nor 1.
    case invalidBoolean(field: String, value: UInt8)
    /// This API key / version pair is not one this library decodes.
    case unsupportedVersion(apiKey: Int16, version: Int16)
    /// A structure decoded completely but bytes remained after it; usually the wrong
    /// version was assumed. `count` is the number of leftover bytes.
    case trailingBytes(structure: String, count: Int)
    /// A frame's 4-byte size prefix was negative.
    case negativeFrameSize(Int32)
    /// A frame's 4-byte size prefix exceeded the splitter's limit.
    case frameTooLarge(size: Int32, limit: Int)

    public var description: String {
        switch self {
        case .truncated(let field):
            return "truncated Kafka message: the bytes ended while reading \(field)"
        case .negativeLength(let field, let length):
            return "invalid negative length \(length) for \(field)"
        case .lengthTooLarge(let field, let length, let remaining):
            return "length \(length) for \(field) exceeds what is available (\(remaining) bytes remain) or can be encoded"
        case .unexpectedNull(let field):
            return "\(field) is null but is not nullable in this version"
        case .invalidUTF8(let field):
            return "\(field) is not valid UTF-8"
        case .malformedVarint(let field):
            return "malformed unsigned varint (longer than 5 bytes) in \(field)"
        case .invalidBoolean(let field, let value):
            return "invalid boolean byte \(value) in \(field)"
        case .unsupportedVersion(let apiKey, let version):
            return "unsupported version \(version) of \(KafkaAPIKey(rawValue: apiKey)) (api key \(apiKey))"
        case .trailingBytes(let structure, let count):
            return "\(count) unexpected trailing byte(s) after \(structure) (wrong version assumed?)"
        case .negativeFrameSize(let size):
            return "negative Kafka frame size \(size): stream is not decodable"
        case .frameTooLarge(let size, let limit):
            return "Kafka frame size \(size) exceeds the limit of \(limit) bytes: stream is not decodable"
        }
    }
}
