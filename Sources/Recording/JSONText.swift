import CommitRecorder

/// JSON text for trace lines, appended straight into a byte buffer (RFC 8259 string escapes).
///
/// The proxy writes every line synchronously on its event loops, so encoding stays allocation-light
/// rather than going through `JSONEncoder`.
enum JSONText {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// `,"name":"value"`.
    static func field(_ name: String, _ value: String, _ line: inout [UInt8]) {
        line.append(UInt8(ascii: ","))
        string(name, &line)
        line.append(UInt8(ascii: ":"))
        string(value, &line)
    }

    /// A JSON string literal.
    static func string(_ text: String, _ line: inout [UInt8]) {
        line.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): line.append(UInt8(ascii: "\\")); line.append(byte)
            case UInt8(ascii: "\n"): line.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): line.append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"): line.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                line.append(contentsOf: #"\u00"#.utf8)
                line.append(hex[Int(byte >> 4)])
                line.append(hex[Int(byte & 0xF)])
            default: line.append(byte)
            }
        }
        line.append(UInt8(ascii: "\""))
    }

    static func integer<T: BinaryInteger>(_ value: T, _ line: inout [UInt8]) {
        line.append(contentsOf: String(value).utf8)
    }

    /// `,"name":{"topic/partition":value,...}` in partition order (stable lines, easy to compare).
    static func partitionMap<Value>(_ name: String, _ map: [CommitRecorder.Partition: Value], _ line: inout [UInt8],
                                    _ appendValue: (Value, inout [UInt8]) -> Void) {
        line.append(UInt8(ascii: ","))
        string(name, &line)
        line.append(contentsOf: ":{".utf8)
        for (index, partition) in map.keys.sorted(by: partitionOrder).enumerated() {
            if index > 0 { line.append(UInt8(ascii: ",")) }
            string(partition.description, &line)
            line.append(UInt8(ascii: ":"))
            appendValue(map[partition]!, &line)
        }
        line.append(UInt8(ascii: "}"))
    }

    static func partitionOrder(_ left: CommitRecorder.Partition, _ right: CommitRecorder.Partition) -> Bool {
        (left.topic, left.partition) < (right.topic, right.partition)
    }
}
