/// Escaping for text that goes into the HTML report.
///
/// Every string that comes from a trace (proc and thread names, commit ids, topics) is untrusted: a
/// proc named `<script>` must show as text, never become markup. One function serves element text,
/// attribute values (always written in double quotes) and inline SVG alike.
enum HTMLEscaping {
    /// Escapes `&`, `<`, `>`, `"` and `'`, and drops control characters that XML forbids.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            case "\n", "\t", "\r": result.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0xFFFE...0xFFFF).contains(scalar.value) {
                    result += "\u{FFFD}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }

    /// Shortens a label to `limit` characters, marking the cut with an ellipsis.
    static func shorten(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(max(1, limit - 1))) + "\u{2026}"
    }
}

extension TraceEvent {
    /// The event written back as one `commitcheck/1` JSON line, for the report's hover text.
    ///
    /// The report has no access to the original bytes, so it re-serialises the fields the format
    /// defines, in the order the format's own examples use; unknown fields of the original are gone.
    var jsonLine: String {
        var fields: [(String, String)] = [("ev", JSONText.string(kind.rawValue))]
        fields.append(("proc", JSONText.string(proc)))
        fields.append(("thread", JSONText.string(thread)))
        if let ts { fields.append(("ts", String(ts))) }
        if let commit { fields.append(("commit", JSONText.string(commit))) }
        if let fetch { fields.append(("fetch", JSONText.string(fetch))) }
        if let group { fields.append(("group", JSONText.string(group))) }
        if let offsets {
            fields.append(("offsets", JSONText.object(offsets.map { ($0.0.description, String($0.1)) })))
        }
        if let partitions {
            fields.append(("partitions", "[" + partitions.map { JSONText.string($0.description) }.joined(separator: ",") + "]"))
        }
        if let conn { fields.append(("conn", JSONText.string(conn))) }
        if let status { fields.append(("status", JSONText.string(status.rawValue))) }
        if let errors {
            fields.append(("errors", JSONText.object(errors.map { ($0.0.description, JSONText.string($0.1)) })))
        }
        if let generation { fields.append(("generation", String(generation))) }
        if let member { fields.append(("member", JSONText.string(member))) }
        return JSONText.object(fields)
    }
}

/// Minimal JSON writing without Foundation.
enum JSONText {
    /// A JSON string literal.
    static func string(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    /// A JSON object from keys and already-serialised values, in the given order.
    static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }
}
