/// Decodes and validates one trace line on its own, without looking at other lines.
///
/// Cross-line rules (a second `build` of a commit, a `send` with no offsets anywhere) belong to
/// ``TraceReader``; this type is also what the collector uses to vet each line it receives.
public enum TraceEventDecoder {
    /// The trace format this decoder reads.
    public static let format = "commitcheck/1"

    /// Decodes one line (without its line terminator).
    ///
    /// - Returns: the event, or `nil` for an unknown `ev` when `lenient` (it is skipped).
    public static func decode(line bytes: UnsafeBufferPointer<UInt8>, lineNumber: Int, lenient: Bool = false) throws(TraceError) -> TraceEvent? {
        if let event = FastLineDecoder.decode(bytes, lineNumber: lineNumber) { return event }
        return try decodeInGeneral(line: bytes, lineNumber: lineNumber, lenient: lenient)
    }

    /// The general path: any JSON, every rule, every error message (the fast path's reference).
    package static func decodeInGeneral(line bytes: UnsafeBufferPointer<UInt8>, lineNumber: Int, lenient: Bool) throws(TraceError) -> TraceEvent? {
        let value: JSONValue
        do {
            value = try JSONScanner.parse(bytes)
        } catch {
            throw TraceError(line: lineNumber, column: error.column, message: "invalid JSON: \(error.message)")
        }
        guard case .object(let members) = value else {
            throw TraceError(line: lineNumber, column: 1, message: "a trace line must be a JSON object, found \(value.typeName)")
        }
        return try decode(members: members, lineNumber: lineNumber, lenient: lenient)
    }

    /// Decodes one line given as bytes in any collection.
    public static func decode(line: some Collection<UInt8>, lineNumber: Int, lenient: Bool = false) throws(TraceError) -> TraceEvent? {
        let array = Array(line)
        do {
            return try array.withUnsafeBufferPointer { buffer throws(TraceError) in
                try decode(line: buffer, lineNumber: lineNumber, lenient: lenient)
            }
        }
    }

    package static func decode(members: [(String, JSONValue)], lineNumber: Int, lenient: Bool) throws(TraceError) -> TraceEvent? {
        var fields = FieldReader(members: members, line: lineNumber)
        let evName = try fields.requiredString("ev")
        guard let kind = EventKind(rawValue: evName) else {
            if lenient { return nil }
            throw TraceError(line: lineNumber, field: "ev",
                             message: "unknown event '\(evName)' (expected one of \(EventKind.allCases.map(\.rawValue).joined(separator: ", ")); --lenient skips unknown events)")
        }
        // `meta` has no recorder fields.
        var proc = "", thread = "main", ts: Int? = nil
        if kind != .meta {
            proc = try fields.requiredString("proc")
            thread = try fields.optionalString("thread") ?? "main"
            ts = try fields.optionalInt("ts")
        }
        let payload: TraceEvent.Payload
        switch kind {
        case .meta:
            payload = .meta(try decodeMeta(&fields))
        case .build:
            let commit = try fields.requiredString("commit")
            let group = try fields.requiredString("group")
            let reset = try fields.optionalBool("reset") ?? false
            // A reset may write -1, "no committed offset" (an OffsetDelete); an ordinary commit may not.
            let offsets = try fields.requiredOffsets("offsets", allowNegative: reset)
            try Self.requireEntries(offsets, lineNumber: lineNumber)
            payload = .build(TraceEvent.Build(commit: commit, group: group, offsets: offsets,
                                              generation: try fields.optionalInt("generation"), member: try fields.optionalString("member"),
                                              txn: try fields.optionalString("txn"), reset: reset))
        case .send:
            let commit = try fields.requiredString("commit")
            let conn = try fields.optionalString("conn")
            let group = try fields.optionalString("group")
            let reset = try fields.optionalBool("reset") ?? false
            var carried: TraceEvent.CarriedOffsets? = nil
            if let offsets = try fields.optionalOffsets("offsets", allowNegative: reset) {
                try Self.requireEntries(offsets, lineNumber: lineNumber)
                guard let group else {
                    throw TraceError(line: lineNumber, field: "group", message: "a send that carries offsets needs its group")
                }
                carried = TraceEvent.CarriedOffsets(group: group, offsets: offsets)
            }
            payload = .send(TraceEvent.Send(commit: commit, conn: conn, carried: carried, txn: try fields.optionalString("txn"), reset: reset,
                                            client: try fields.optionalString("client")))
        case .ack:
            let commit = try fields.requiredString("commit")
            payload = .ack(TraceEvent.Ack(commit: commit, status: try fields.requiredStatus("status"), errors: try fields.optionalErrors("errors")))
        case .fetch:
            payload = .fetch(TraceEvent.FetchRequest(fetch: try fields.requiredString("fetch"), group: try fields.requiredString("group"),
                                                     partitions: try fields.requiredPartitions("partitions"),
                                                     client: try fields.optionalString("client")))
        case .fetched:
            payload = .fetched(TraceEvent.FetchResponse(fetch: try fields.requiredString("fetch"),
                                                        offsets: try fields.requiredOffsets("offsets", allowNegative: true)))
        case .apply:
            payload = .apply(TraceEvent.Apply(commit: try fields.requiredString("commit")))
        case .end:
            let txn = try fields.requiredString("txn")
            let resultName = try fields.requiredString("result")
            guard let result = TransactionResult(rawValue: resultName) else {
                throw TraceError(line: lineNumber, field: "result", message: "unknown result '\(resultName)' (expected commit or abort)")
            }
            payload = .end(TraceEvent.End(txn: txn, result: result))
        case .ended:
            payload = .ended(TraceEvent.Ended(txn: try fields.requiredString("txn"), status: try fields.requiredStatus("status"),
                                              error: try fields.optionalString("error")))
        case .completed:
            payload = .completed(TraceEvent.Completed(txn: try fields.requiredString("txn")))
        }
        let event = TraceEvent(line: lineNumber, proc: proc, thread: thread, ts: ts, payload: payload)
        return event
    }

    /// Rejects a commit's `offsets` map with no entry (specs/trace-format.md): a commit that carries nothing is
    /// a recorder bug, and a history built on it would be judged on a request that never existed.
    private static func requireEntries(_ offsets: [(TopicPartition, Int)], lineNumber: Int) throws(TraceError) {
        if offsets.isEmpty {
            throw TraceError(line: lineNumber, field: "offsets", message: "a commit's offsets map has no entry (a commit that carries nothing is a recorder bug)")
        }
    }

    private static func decodeMeta(_ fields: inout FieldReader) throws(TraceError) -> TraceMeta {
        let format = try fields.requiredString("format")
        guard format == Self.format else {
            throw TraceError(line: fields.line, field: "format", message: "unsupported format '\(format)' (this checker reads \(Self.format))")
        }
        var meta = TraceMeta()
        if let clock = try fields.optionalString("clock") {
            guard let kind = ClockKind(rawValue: clock) else {
                throw TraceError(line: fields.line, field: "clock", message: "unknown clock '\(clock)' (expected monotonic or wall)")
            }
            meta.clock = kind
        }
        if let skew = try fields.optionalInt("skew_ns") {
            guard skew >= 0 else { throw TraceError(line: fields.line, field: "skew_ns", message: "must not be negative") }
            meta.skewNanoseconds = skew
        }
        if let initial = fields.value("initial") {
            guard case .object(let groups) = initial else {
                throw TraceError(line: fields.line, field: "initial", message: "expected an object of groups, found \(initial.typeName)")
            }
            for (group, partitions) in groups {
                meta.initial[group] = Dictionary(
                    try FieldReader.offsets(partitions, field: "initial.\(group)", line: fields.line, allowNegative: false),
                    uniquingKeysWith: { first, _ in first })
            }
        }
        if let label = fields.value("counterexample"), label != .null {
            meta.counterexample = try decodeLabel(label, line: fields.line)
        }
        return meta
    }

    /// `{"group", "topic", "partition", "verdict", optional "property"}`: what a counterexample
    /// sub-history was written for.
    private static func decodeLabel(_ value: JSONValue, line: Int) throws(TraceError) -> CounterexampleLabel {
        guard case .object(let members) = value else {
            throw TraceError(line: line, field: "counterexample", message: "expected an object with group, topic, partition and verdict, found \(value.typeName)")
        }
        let fields = FieldReader(members: members, line: line)
        func name(_ field: String) -> String { "counterexample.\(field)" }
        func string(_ field: String) throws(TraceError) -> String {
            guard let value = fields.value(field) else { throw TraceError(line: line, field: name(field), message: "missing") }
            guard case .string(let text) = value else { throw TraceError(line: line, field: name(field), message: "expected a string, found \(value.typeName)") }
            return text
        }
        guard let partitionValue = fields.value("partition") else { throw TraceError(line: line, field: name("partition"), message: "missing") }
        let partition = try FieldReader.integer(partitionValue, field: name("partition"), line: line)
        guard partition >= 0 else { throw TraceError(line: line, field: name("partition"), message: "must not be negative") }
        let verdictName = try string("verdict")
        guard let verdict = Verdict(rawValue: verdictName) else {
            throw TraceError(line: line, field: name("verdict"), message: "unknown verdict '\(verdictName)' (expected holds, possible, violated or unknown)")
        }
        var property = Property.monotonic
        if fields.value("property") != nil {
            let propertyName = try string("property")
            guard let parsed = Property(rawValue: propertyName) else {
                throw TraceError(line: line, field: name("property"), message: "unknown property '\(propertyName)' (expected monotonic or linearizable)")
            }
            property = parsed
        }
        return CounterexampleLabel(group: try string("group"), topic: try string("topic"), partition: partition, property: property, verdict: verdict)
    }
}

/// Typed access to the members of one line's object, with errors that name the field.
package struct FieldReader {
    package let members: [(String, JSONValue)]
    package let line: Int

    package init(members: [(String, JSONValue)], line: Int) {
        self.members = members
        self.line = line
    }

    package func value(_ name: String) -> JSONValue? {
        for (key, value) in members where key == name { return value }
        return nil
    }

    private func mistyped(_ name: String, _ expected: String, _ found: JSONValue) -> TraceError {
        TraceError(line: line, field: name, message: "expected \(expected), found \(found.typeName)")
    }

    package func requiredString(_ name: String) throws(TraceError) -> String {
        guard let value = value(name) else { throw TraceError(line: line, field: name, message: "missing") }
        guard case .string(let text) = value else { throw mistyped(name, "a string", value) }
        return text
    }

    package func optionalString(_ name: String) throws(TraceError) -> String? {
        guard let value = value(name), value != .null else { return nil }
        guard case .string(let text) = value else { throw mistyped(name, "a string", value) }
        return text
    }

    package func optionalBool(_ name: String) throws(TraceError) -> Bool? {
        guard let value = value(name), value != .null else { return nil }
        guard case .bool(let flag) = value else { throw mistyped(name, "true or false", value) }
        return flag
    }

    /// An `ack`'s or `ended`'s `status`.
    package func requiredStatus(_ name: String) throws(TraceError) -> AckStatus {
        let statusName = try requiredString(name)
        guard let status = AckStatus(rawValue: statusName) else {
            throw TraceError(line: line, field: name, message: "unknown status '\(statusName)' (expected ok, fail or unknown)")
        }
        return status
    }

    package func optionalInt(_ name: String) throws(TraceError) -> Int? {
        guard let value = value(name), value != .null else { return nil }
        return try Self.integer(value, field: name, line: line)
    }

    package static func integer(_ value: JSONValue, field: String, line: Int) throws(TraceError) -> Int {
        switch value {
        case .int(let number): return number
        case .bigNumber(let text):
            throw TraceError(line: line, field: field, message: "integer \(text) does not fit in 64 bits")
        case .double(let number):
            throw TraceError(line: line, field: field, message: "expected an integer, found \(number)")
        default:
            throw TraceError(line: line, field: field, message: "expected an integer, found \(value.typeName)")
        }
    }

    package func requiredOffsets(_ name: String, allowNegative: Bool) throws(TraceError) -> [(TopicPartition, Int)] {
        guard let value = value(name) else { throw TraceError(line: line, field: name, message: "missing") }
        return try Self.offsets(value, field: name, line: line, allowNegative: allowNegative)
    }

    package func optionalOffsets(_ name: String, allowNegative: Bool) throws(TraceError) -> [(TopicPartition, Int)]? {
        guard let value = value(name), value != .null else { return nil }
        return try Self.offsets(value, field: name, line: line, allowNegative: allowNegative)
    }

    package static func partition(_ key: String, field: String, line: Int) throws(TraceError) -> TopicPartition {
        guard let partition = TopicPartition(parsing: key) else {
            throw TraceError(line: line, field: field, message: "'\(key)' is not 'topic/partition' (a topic name, '/', a partition number)")
        }
        return partition
    }

    package static func offsets(_ value: JSONValue, field: String, line: Int, allowNegative: Bool) throws(TraceError) -> [(TopicPartition, Int)] {
        guard case .object(let members) = value else {
            throw TraceError(line: line, field: field, message: "expected an object of \"topic/partition\": offset, found \(value.typeName)")
        }
        var result: [(TopicPartition, Int)] = []
        result.reserveCapacity(members.count)
        for (key, offsetValue) in members {
            let partition = try partition(key, field: field, line: line)
            if result.contains(where: { $0.0 == partition }) {
                throw TraceError(line: line, field: field, message: "partition \(partition) appears twice ('\(key)')")
            }
            let offset = try integer(offsetValue, field: "\(field).\(key)", line: line)
            if offset < (allowNegative ? -1 : 0) {
                throw TraceError(line: line, field: "\(field).\(key)", message: allowNegative
                    ? "offset \(offset) is below -1 (-1 means no committed offset)"
                    : "offset \(offset) is negative")
            }
            result.append((partition, offset))
        }
        return result
    }

    package func requiredPartitions(_ name: String) throws(TraceError) -> [TopicPartition] {
        guard let value = value(name) else { throw TraceError(line: line, field: name, message: "missing") }
        guard case .array(let items) = value else { throw mistyped(name, "an array of \"topic/partition\"", value) }
        var result: [TopicPartition] = []
        for item in items {
            guard case .string(let key) = item else { throw mistyped(name, "an array of strings", item) }
            result.append(try Self.partition(key, field: name, line: line))
        }
        return result
    }

    package func optionalErrors(_ name: String) throws(TraceError) -> [(TopicPartition, String)]? {
        guard let value = value(name), value != .null else { return nil }
        guard case .object(let members) = value else { throw mistyped(name, "an object of \"topic/partition\": \"CODE\"", value) }
        var result: [(TopicPartition, String)] = []
        for (key, code) in members {
            let partition = try Self.partition(key, field: name, line: line)
            guard case .string(let text) = code else { throw mistyped("\(name).\(key)", "a string error code", code) }
            result.append((partition, text))
        }
        return result
    }
}
