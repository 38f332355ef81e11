/// The one escaping loop behind JSON string literals and markup (the HTML page, JUnit XML).
///
/// Each format names its replacements in a table; control characters that no table names go to
/// `control`, which gives their replacement or `nil` to keep them. Untrusted text from traces
/// (proc names, commit ids, topics) passes through here on its way into every report.
package enum TextEscaping {
    package static func escape(_ text: String, _ named: [Unicode.Scalar: String],
                               control: (Unicode.Scalar) -> String?) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if let replacement = named[scalar] {
                out += replacement
            } else if scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0xFFFE || scalar.value == 0xFFFF,
                      let replacement = control(scalar) {
                out += replacement
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
