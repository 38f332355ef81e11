/// Appends JSON text for trace lines straight into a byte buffer.
///
/// Hand-written rather than `JSONEncoder` because it runs on the client's hot path: no
/// intermediate `Data`, no dictionaries, no key sorting; strings are escaped per RFC 8259.
enum TraceLineEncoding {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    @inline(__always)
    static func appendRaw(_ text: StaticString, to buffer: inout [UInt8]) {
        text.withUTF8Buffer { buffer.append(contentsOf: $0) }
    }

    /// A JSON string literal of `text`.
    static func appendString(_ text: String, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var clean = true
            for byte in bytes where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                clean = false
                break
            }
            if clean {
                buffer.append(contentsOf: bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""): buffer.append(UInt8(ascii: "\\")); buffer.append(byte)
                case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\")); buffer.append(byte)
                case UInt8(ascii: "\n"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "r"))
                case UInt8(ascii: "\t"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "t"))
                case 0..<0x20:
                    appendRaw("\\u00", to: &buffer)
                    buffer.append(hex[Int(byte >> 4)])
                    buffer.append(hex[Int(byte & 0xF)])
                default: buffer.append(byte)
                }
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }

    /// A JSON integer.
    @inline(__always)
    static func appendInteger<T: BinaryInteger>(_ value: T, to buffer: inout [UInt8]) {
        if value == 0 { buffer.append(UInt8(ascii: "0")); return }
        var magnitude = value.magnitude
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: enough for 20 digits
        var count = 0
        withUnsafeMutableBytes(of: &digits) { scratch in
            while magnitude > 0 {
                scratch[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) { buffer.append(scratch[index]) }
        }
    }

    /// `"topic/partition"` as a JSON string.
    static func appendKey(_ partition: CommitRecorder.Partition, to buffer: inout [UInt8]) {
        var topic = partition.topic
        let plain = topic.withUTF8 { bytes in !bytes.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") } }
        if plain {
            buffer.append(UInt8(ascii: "\""))
            topic.withUTF8 { buffer.append(contentsOf: $0) }
        } else {
            appendString(partition.topic, to: &buffer)
            buffer.removeLast()
        }
        buffer.append(UInt8(ascii: "/"))
        appendInteger(partition.partition, to: &buffer)
        buffer.append(UInt8(ascii: "\""))
    }
}
