#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decodes the common shape of a trace line straight into a ``TraceEvent``, with no JSON value tree.
///
/// Most of parsing time went into building a ``JSONValue`` per line and then looking fields up in
/// it by string comparison. Recorders write a narrow, regular subset of JSON, so this decoder reads
/// exactly that subset in one pass: the known fields, ASCII strings without escapes, plain integers,
/// `"topic/partition"` keys made of digits. On anything else (an unknown or repeated field, an
/// escape, a non-ASCII byte, `null`, a number with a fraction, a rule the line breaks) it gives up
/// and returns `nil`, and ``TraceEventDecoder`` falls back to the general path, which accepts all
/// of JSON and writes every error message. So the fast path can only ever return what the general
/// path would return for the same line; `FastLineDecoderTests` checks exactly that on valid and
/// mutated lines, and so does the fuzzer.
package enum FastLineDecoder {
    /// The fields of the common events, as bits for duplicate detection.
    private enum Field: Int {
        case ev, proc, thread, ts, commit, fetch, group, offsets, conn, status, errors, partitions, generation, member
        case txn, reset, client, result, error
    }

    /// The event, or `nil` when the line is outside the fast subset (the caller then decodes it the
    /// general way, which also reports errors).
    package static func decode(_ bytes: UnsafeBufferPointer<UInt8>, lineNumber: Int) -> TraceEvent? {
        var cursor = Cursor(bytes: bytes)
        var seen: UInt32 = 0
        var kind: EventKind?
        var proc: String?, thread: String?, commit: String?, fetch: String?, group: String?
        var conn: String?, status: String?, member: String?, txn: String?, client: String?, result: String?, error: String?
        var reset: Bool?
        var ts: Int?, generation: Int?
        var offsets: [(TopicPartition, Int)]?, errors: [(TopicPartition, String)]?, partitions: [TopicPartition]?

        cursor.skipWhitespace()
        guard cursor.take(UInt8(ascii: "{")) else { return nil }
        while true {
            cursor.skipWhitespace()
            guard let field = cursor.fieldName() else { return nil }
            let bit: UInt32 = 1 << UInt32(field.rawValue)
            guard seen & bit == 0 else { return nil }
            seen |= bit
            cursor.skipWhitespace()
            guard cursor.take(UInt8(ascii: ":")) else { return nil }
            cursor.skipWhitespace()
            switch field {
            case .ev:
                guard let name = cursor.eventKind() else { return nil }
                kind = name
            case .proc: guard let text = cursor.string() else { return nil }; proc = text
            case .thread: guard let text = cursor.string() else { return nil }; thread = text
            case .commit: guard let text = cursor.string() else { return nil }; commit = text
            case .fetch: guard let text = cursor.string() else { return nil }; fetch = text
            case .group: guard let text = cursor.string() else { return nil }; group = text
            case .conn: guard let text = cursor.string() else { return nil }; conn = text
            case .status: guard let text = cursor.string() else { return nil }; status = text
            case .member: guard let text = cursor.string() else { return nil }; member = text
            case .txn: guard let text = cursor.string() else { return nil }; txn = text
            case .client: guard let text = cursor.string() else { return nil }; client = text
            case .result: guard let text = cursor.string() else { return nil }; result = text
            case .error: guard let text = cursor.string() else { return nil }; error = text
            case .reset: guard let flag = cursor.boolean() else { return nil }; reset = flag
            case .ts: guard let number = cursor.integer() else { return nil }; ts = number
            case .generation: guard let number = cursor.integer() else { return nil }; generation = number
            case .offsets: guard let map = cursor.offsets() else { return nil }; offsets = map
            case .errors: guard let map = cursor.errors() else { return nil }; errors = map
            case .partitions: guard let list = cursor.partitions() else { return nil }; partitions = list
            }
            cursor.skipWhitespace()
            if cursor.take(UInt8(ascii: ",")) { continue }
            guard cursor.take(UInt8(ascii: "}")) else { return nil }
            break
        }
        cursor.skipWhitespace()
        guard cursor.atEnd, let kind, let proc else { return nil }

        // The same rules, in the same order, as TraceEventDecoder.decode(members:); any breach
        // goes to the general path for its message.
        let payload: TraceEvent.Payload
        switch kind {
        case .meta:
            return nil
        case .build:
            // An empty map is bad input (specs/trace-format.md): the general path words the error.
            let floor = reset == true ? -1 : 0
            guard let commit, let group, let offsets, !offsets.isEmpty, offsets.allSatisfy({ $0.1 >= floor }) else { return nil }
            payload = .build(TraceEvent.Build(commit: commit, group: group, offsets: offsets, generation: generation, member: member,
                                              txn: txn, reset: reset ?? false))
        case .send:
            guard let commit else { return nil }
            var carried: TraceEvent.CarriedOffsets? = nil
            if let offsets {
                let floor = reset == true ? -1 : 0
                guard let group, !offsets.isEmpty, offsets.allSatisfy({ $0.1 >= floor }) else { return nil }
                carried = TraceEvent.CarriedOffsets(group: group, offsets: offsets)
            }
            payload = .send(TraceEvent.Send(commit: commit, conn: conn, carried: carried, txn: txn, reset: reset ?? false, client: client))
        case .ack:
            guard let commit, let status, let parsed = AckStatus(rawValue: status) else { return nil }
            payload = .ack(TraceEvent.Ack(commit: commit, status: parsed, errors: errors))
        case .fetch:
            guard let fetch, let group, let partitions else { return nil }
            payload = .fetch(TraceEvent.FetchRequest(fetch: fetch, group: group, partitions: partitions, client: client))
        case .fetched:
            guard let fetch, let offsets, offsets.allSatisfy({ $0.1 >= -1 }) else { return nil }
            payload = .fetched(TraceEvent.FetchResponse(fetch: fetch, offsets: offsets))
        case .apply:
            guard let commit else { return nil }
            payload = .apply(TraceEvent.Apply(commit: commit))
        case .end:
            guard let txn, let result, let parsed = TransactionResult(rawValue: result) else { return nil }
            payload = .end(TraceEvent.End(txn: txn, result: parsed))
        case .ended:
            guard let txn, let status, let parsed = AckStatus(rawValue: status) else { return nil }
            payload = .ended(TraceEvent.Ended(txn: txn, status: parsed, error: error))
        case .completed:
            guard let txn else { return nil }
            payload = .completed(TraceEvent.Completed(txn: txn))
        }
        let event = TraceEvent(line: lineNumber, proc: proc, thread: thread ?? "main", ts: ts, payload: payload)
        return event
    }

    /// A position in the line; every reader returns `nil` (give up) rather than throwing.
    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        var atEnd: Bool { index == bytes.count }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// The bytes of a plain string (printable ASCII, no escapes), without its quotes.
        mutating func plainString() -> UnsafeBufferPointer<UInt8>? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let text = UnsafeBufferPointer(rebasing: bytes[start..<index])
                    index += 1
                    return text
                }
                guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
                index += 1
            }
            return nil
        }

        mutating func string() -> String? {
            plainString().map { String(decoding: $0, as: UTF8.self) }
        }

        mutating func fieldName() -> Field? {
            guard let name = plainString() else { return nil }
            func equals(_ literal: StaticString) -> Bool {
                literal.utf8CodeUnitCount == name.count && memcmp(literal.utf8Start, name.baseAddress!, name.count) == 0
            }
            switch name.count {
            case 2: if equals("ev") { return .ev }; if equals("ts") { return .ts }
            case 3: if equals("txn") { return .txn }
            case 4: if equals("proc") { return .proc }; if equals("conn") { return .conn }
            case 5: if equals("fetch") { return .fetch }; if equals("group") { return .group }; if equals("reset") { return .reset }
                if equals("error") { return .error }
            case 6: if equals("thread") { return .thread }; if equals("commit") { return .commit }; if equals("status") { return .status }
                if equals("errors") { return .errors }; if equals("member") { return .member }; if equals("client") { return .client }
                if equals("result") { return .result }
            case 7: if equals("offsets") { return .offsets }
            case 10: if equals("partitions") { return .partitions }; if equals("generation") { return .generation }
            default: break
            }
            return nil
        }

        mutating func eventKind() -> EventKind? {
            guard let name = plainString() else { return nil }
            func equals(_ literal: StaticString) -> Bool {
                literal.utf8CodeUnitCount == name.count && memcmp(literal.utf8Start, name.baseAddress!, name.count) == 0
            }
            if equals("build") { return .build }
            if equals("send") { return .send }
            if equals("ack") { return .ack }
            if equals("fetch") { return .fetch }
            if equals("fetched") { return .fetched }
            if equals("apply") { return .apply }
            if equals("end") { return .end }
            if equals("ended") { return .ended }
            if equals("completed") { return .completed }
            return nil  // meta, unknown events: the general path
        }

        /// `true` or `false`.
        mutating func boolean() -> Bool? {
            func word(_ literal: StaticString) -> Bool {
                let count = literal.utf8CodeUnitCount
                guard bytes.count - index >= count, memcmp(literal.utf8Start, bytes.baseAddress! + index, count) == 0 else { return false }
                index += count
                return true
            }
            if word("true") { return true }
            if word("false") { return false }
            return nil
        }

        /// A plain integer: optional minus, digits without a leading zero, at most 18 of them.
        mutating func integer() -> Int? {
            var negative = false
            if take(UInt8(ascii: "-")) { negative = true }
            let start = index
            var value = 0
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                // More than 18 digits may not fit: the general path says so by name.
                guard index - start < 18 else { return nil }
                value = value * 10 + Int(bytes[index] - 0x30)
                index += 1
            }
            let digits = index - start
            guard digits > 0, digits == 1 || bytes[start] != 0x30 else { return nil }
            if index < bytes.count {
                let next = bytes[index]
                guard next != UInt8(ascii: "."), next != UInt8(ascii: "e"), next != UInt8(ascii: "E") else { return nil }
            }
            return negative ? -value : value
        }

        /// `"topic/partition"` with a non-empty topic and a partition of ASCII digits.
        mutating func partitionKey() -> TopicPartition? {
            guard let key = plainString() else { return nil }
            var slash = key.count - 1
            while slash >= 0, key[slash] != UInt8(ascii: "/") { slash -= 1 }
            let digits = key.count - slash - 1
            guard slash > 0, digits > 0, digits <= 18 else { return nil }
            var partition = 0
            for position in (slash + 1)..<key.count {
                let byte = key[position]
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                partition = partition * 10 + Int(byte - 0x30)
            }
            let topic = String(decoding: UnsafeBufferPointer(rebasing: key[0..<slash]), as: UTF8.self)
            return TopicPartition(topic: topic, partition: partition)
        }

        /// `{"topic/partition": integer, ...}` with no partition twice.
        mutating func offsets() -> [(TopicPartition, Int)]? { partitionMap { $0.integer() } }

        /// `{"topic/partition": "CODE", ...}` with no partition twice.
        mutating func errors() -> [(TopicPartition, String)]? { partitionMap { $0.string() } }

        /// `{"topic/partition": value, ...}` with no partition twice, values read by `value`.
        mutating func partitionMap<Value>(_ value: (inout Cursor) -> Value?) -> [(TopicPartition, Value)]? {
            guard take(UInt8(ascii: "{")) else { return nil }
            var result: [(TopicPartition, Value)] = []
            skipWhitespace()
            if take(UInt8(ascii: "}")) { return result }
            while true {
                skipWhitespace()
                guard let key = partitionKey() else { return nil }
                skipWhitespace()
                guard take(UInt8(ascii: ":")) else { return nil }
                skipWhitespace()
                guard let item = value(&self) else { return nil }
                guard !result.contains(where: { $0.0 == key }) else { return nil }
                result.append((key, item))
                skipWhitespace()
                if take(UInt8(ascii: ",")) { continue }
                guard take(UInt8(ascii: "}")) else { return nil }
                return result
            }
        }

        /// `["topic/partition", ...]`.
        mutating func partitions() -> [TopicPartition]? {
            guard take(UInt8(ascii: "[")) else { return nil }
            var result: [TopicPartition] = []
            skipWhitespace()
            if take(UInt8(ascii: "]")) { return result }
            while true {
                skipWhitespace()
                guard let key = partitionKey() else { return nil }
                result.append(key)
                skipWhitespace()
                if take(UInt8(ascii: ",")) { continue }
                guard take(UInt8(ascii: "]")) else { return nil }
                return result
            }
        }
    }
}
