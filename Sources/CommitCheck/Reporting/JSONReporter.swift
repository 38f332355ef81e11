import Foundation

/// Renders the machine-readable `commitcheck-report/1` document (specs/verdicts.md, "Report").
package enum JSONReporter {
    /// The document; throws when the report cannot be encoded (a non-finite number), rather than
    /// printing a document that says nothing.
    package static func render(_ report: Report) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }
}

extension JSONReporter {
    /// Reads a document this reporter wrote (`commitcheck merge` reads shard reports back).
    package static func decode(_ bytes: [UInt8]) throws -> Report {
        try JSONDecoder().decode(Report.self, from: Data(bytes))
    }
}
