/// Escaping for text that goes into the HTML report.
///
/// Every string that comes from a trace (proc and thread names, commit ids, topics) is untrusted: a
/// proc named `<script>` must show as text, never become markup. One function serves element text,
/// attribute values (always written in double quotes) and inline SVG alike.
enum HTMLEscaping {
    /// How line breaks and tabs are written: as they are (element text), or as character
    /// references, which XML attribute values need to keep them (JUnit's messages).
    enum Whitespace { case literal, characterReferences }

    /// Escapes `&`, `<`, `>`, `"` and `'`, and replaces the control characters XML forbids with
    /// U+FFFD: the one markup escaper, for the HTML page and the JUnit XML alike.
    static func escape(_ text: String, whitespace: Whitespace = .literal) -> String {
        TextEscaping.escape(text, whitespace == .literal ? markup : markupAndWhitespace) { scalar in
            scalar == "\n" || scalar == "\t" || scalar == "\r" ? nil : "\u{FFFD}"
        }
    }

    private static let markup: [Unicode.Scalar: String] = ["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"]
    private static let markupAndWhitespace = markup.merging(["\n": "&#10;", "\t": "&#9;", "\r": "&#13;"]) { $1 }

    /// Shortens a label to `limit` characters, marking the cut with an ellipsis.
    static func shorten(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(max(1, limit - 1))) + "\u{2026}"
    }
}
