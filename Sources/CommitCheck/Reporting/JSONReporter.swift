import Foundation

/// Renders the machine-readable `commitcheck-report/1` document (specs/verdicts.md, "Report").
package enum JSONReporter {
    /// The document; throws when the report cannot be encoded (a non-finite number), rather than
    /// printing a document that says nothing.
    package static func render(_ report: Report) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(StampedReport(report: report)), as: UTF8.self) + "\n"
    }

    /// The report's members plus `tool` (``ToolVersion``): which build wrote the document.
    private struct StampedReport: Encodable {
        let report: Report
        private enum CodingKeys: String, CodingKey { case tool }

        func encode(to encoder: any Encoder) throws {
            try report.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(["name": ToolVersion.name, "version": ToolVersion.version], forKey: .tool)
        }
    }
}

extension JSONReporter {
    /// Reads a document this reporter wrote (`commitcheck merge` reads shard reports back).
    package static func decode(_ bytes: [UInt8]) throws -> Report {
        try JSONDecoder().decode(Report.self, from: Data(bytes))
    }
}
