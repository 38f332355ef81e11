/// Writes trace events back as `commitcheck/1` JSON lines.
///
/// Used for counterexample sub-traces (which must re-verify) and wherever a report shows an event's
/// line. Fields keep their original values; `orig_line` (and `orig_file` for merged traces) point
/// back to where the event was read, which the parser ignores as an unknown field.
public enum TraceLineWriter {
    /// The meta line for a history's clock settings and initial offsets.
    public static func metaLine(_ meta: TraceMeta, extra: [(String, String)] = []) -> String {
        var fields: [(String, String)] = [("ev", quote("meta")), ("format", quote(TraceEventDecoder.format))]
        fields.append(("clock", quote(meta.clock.rawValue)))
        if meta.skewNanoseconds != 0 { fields.append(("skew_ns", String(meta.skewNanoseconds))) }
        if !meta.initial.isEmpty {
            let groups = meta.initial.keys.sorted().map { group in
                quote(group) + ":" + offsetsObject(meta.initial[group]!.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            }
            fields.append(("initial", "{" + groups.joined(separator: ",") + "}"))
        }
        return object(fields + extra)
    }

    /// One event as a line; `carrying` puts a commit's group and offsets on a `send` that has none
    /// (needed when its `build` is not part of the output); `fileName` marks which of several
    /// traces verified together the event came from.
    public static func line(_ event: TraceEvent, carrying: TraceEvent.CarriedOffsets? = nil, fileName: String? = nil) -> String {
        var fields: [(String, String)] = [("ev", quote(event.kind.rawValue)), ("proc", quote(event.proc))]
        if event.thread != "main" { fields.append(("thread", quote(event.thread))) }
        if let ts = event.ts { fields.append(("ts", String(ts))) }
        switch event.payload {
        case .build(let commit, let group, let offsets, let generation, let member):
            fields.append(("commit", quote(commit)))
            fields.append(("group", quote(group)))
            fields.append(("offsets", offsetsObject(offsets)))
            if let generation { fields.append(("generation", String(generation))) }
            if let member { fields.append(("member", quote(member))) }
        case .send(let commit, let conn, let carried):
            fields.append(("commit", quote(commit)))
            if let conn { fields.append(("conn", quote(conn))) }
            if let carried = carried ?? carrying {
                fields.append(("group", quote(carried.group)))
                fields.append(("offsets", offsetsObject(carried.offsets)))
            }
        case .ack(let commit, let status, let errors):
            fields.append(("commit", quote(commit)))
            fields.append(("status", quote(status.rawValue)))
            if let errors {
                fields.append(("errors", "{" + errors.map { quote($0.0.description) + ":" + quote($0.1) }.joined(separator: ",") + "}"))
            }
        case .fetch(let fetch, let group, let partitions):
            fields.append(("fetch", quote(fetch)))
            fields.append(("group", quote(group)))
            fields.append(("partitions", "[" + partitions.map { quote($0.description) }.joined(separator: ",") + "]"))
        case .fetched(let fetch, let offsets):
            fields.append(("fetch", quote(fetch)))
            fields.append(("offsets", offsetsObject(offsets)))
        case .apply(let commit):
            fields.append(("commit", quote(commit)))
        case .meta:
            break
        }
        fields.append(("orig_line", String(event.line)))
        if let fileName { fields.append(("orig_file", quote(fileName))) }
        return object(fields)
    }

    package static func offsetsObject(_ offsets: [(TopicPartition, Int)]) -> String {
        "{" + offsets.map { quote($0.0.description) + ":" + String($0.1) }.joined(separator: ",") + "}"
    }

    package static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { quote($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    /// A JSON string literal (RFC 8259: quote, backslash and control characters escaped).
    public static func quote(_ text: String) -> String {
        "\"" + TextEscaping.escape(text, jsonEscapes) { scalar in
            guard scalar.value < 0x20 else { return nil }
            let hex = String(scalar.value, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } + "\""
    }

    private static let jsonEscapes: [Unicode.Scalar: String] = ["\"": "\\\"", "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"]
}
