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
        case .build(let build):
            fields.append(("commit", quote(build.commit)))
            fields.append(("group", quote(build.group)))
            fields.append(("offsets", offsetsObject(build.offsets)))
            if let generation = build.generation { fields.append(("generation", String(generation))) }
            if let member = build.member { fields.append(("member", quote(member))) }
            if let txn = build.txn { fields.append(("txn", quote(txn))) }
            if build.reset { fields.append(("reset", "true")) }
        case .send(let send):
            fields.append(("commit", quote(send.commit)))
            if let conn = send.conn { fields.append(("conn", quote(conn))) }
            if let carried = send.carried ?? carrying {
                fields.append(("group", quote(carried.group)))
                fields.append(("offsets", offsetsObject(carried.offsets)))
            }
            if let txn = send.txn { fields.append(("txn", quote(txn))) }
            if send.reset { fields.append(("reset", "true")) }
            if let client = send.client { fields.append(("client", quote(client))) }
        case .ack(let ack):
            fields.append(("commit", quote(ack.commit)))
            fields.append(("status", quote(ack.status.rawValue)))
            if let errors = ack.errors {
                fields.append(("errors", "{" + errors.map { quote($0.0.description) + ":" + quote($0.1) }.joined(separator: ",") + "}"))
            }
        case .fetch(let request):
            fields.append(("fetch", quote(request.fetch)))
            fields.append(("group", quote(request.group)))
            fields.append(("partitions", "[" + request.partitions.map { quote($0.description) }.joined(separator: ",") + "]"))
            if let client = request.client { fields.append(("client", quote(client))) }
        case .fetched(let response):
            fields.append(("fetch", quote(response.fetch)))
            fields.append(("offsets", offsetsObject(response.offsets)))
        case .apply(let apply):
            fields.append(("commit", quote(apply.commit)))
        case .end(let end):
            fields.append(("txn", quote(end.txn)))
            fields.append(("result", quote(end.result.rawValue)))
        case .ended(let ended):
            fields.append(("txn", quote(ended.txn)))
            fields.append(("status", quote(ended.status.rawValue)))
            if let error = ended.error { fields.append(("error", quote(error))) }
        case .completed(let completed):
            fields.append(("txn", quote(completed.txn)))
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
