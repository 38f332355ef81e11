/// A Kafka `uuid` (16 bytes, big-endian on the wire), e.g. a topic id.
///
/// `description` is Kafka's own textual form (URL-safe base64 without padding, 22
/// characters, as printed by `kafka-topics.sh --describe`); `uuidString` is the usual
/// 8-4-4-4-12 hex form.
public struct KafkaUUID: Hashable, Sendable, CustomStringConvertible {
    /// The first 8 bytes, big-endian.
    public var high: UInt64
    /// The last 8 bytes, big-endian.
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The all-zero uuid (Kafka's `Uuid.ZERO_UUID`, "no topic id").
    public static let zero = KafkaUUID(high: 0, low: 0)

    /// From exactly 16 bytes; nil otherwise.
    public init?<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        guard bytes.count == 16 else { return nil }
        var hi: UInt64 = 0
        var lo: UInt64 = 0
        for (i, b) in bytes.enumerated() {
            if i < 8 { hi = hi << 8 | UInt64(b) } else { lo = lo << 8 | UInt64(b) }
        }
        self.init(high: hi, low: lo)
    }

    /// The 16 bytes, big-endian.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16)
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: high >> UInt64(shift))) }
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: low >> UInt64(shift))) }
        return out
    }

    private static let base64URLAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Kafka's textual form: URL-safe base64 of the 16 bytes, no padding.
    public var kafkaString: String {
        let b = bytes
        var out: [UInt8] = []
        out.reserveCapacity(22)
        var i = 0
        while i < 16 {
            let b0 = UInt32(b[i])
            let b1 = i + 1 < 16 ? UInt32(b[i + 1]) : 0
            let b2 = i + 2 < 16 ? UInt32(b[i + 2]) : 0
            let n = b0 << 16 | b1 << 8 | b2
            out.append(Self.base64URLAlphabet[Int(n >> 18 & 63)])
            out.append(Self.base64URLAlphabet[Int(n >> 12 & 63)])
            if i + 1 < 16 { out.append(Self.base64URLAlphabet[Int(n >> 6 & 63)]) }
            if i + 2 < 16 { out.append(Self.base64URLAlphabet[Int(n & 63)]) }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses Kafka's textual form (22 URL-safe base64 characters, no padding).
    public init?(kafkaString: String) {
        let chars = Array(kafkaString.utf8)
        guard chars.count == 22 else { return nil }
        var values: [UInt32] = []
        values.reserveCapacity(22)
        for c in chars {
            guard let v = Self.base64URLAlphabet.firstIndex(of: c) else { return nil }
            values.append(UInt32(v))
        }
        var out: [UInt8] = []
        out.reserveCapacity(16)
        var i = 0
        while i < 22 {
            let group = values[i..<min(i + 4, 22)]
            var n: UInt32 = 0
            for v in group { n = n << 6 | v }
            n <<= UInt32(6 * (4 - group.count))
            out.append(UInt8(truncatingIfNeeded: n >> 16))
            if group.count > 2 { out.append(UInt8(truncatingIfNeeded: n >> 8)) }
            if group.count > 3 { out.append(UInt8(truncatingIfNeeded: n)) }
            i += 4
        }
        // The last character carries 4 unused bits, which must be zero for a canonical form.
        guard out.count == 16, values[21] & 0x0F == 0 else { return nil }
        self.init(bytes: out)
    }

    /// The 8-4-4-4-12 lower-case hex form.
    public var uuidString: String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (i, b) in bytes.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { kafkaString }
}
