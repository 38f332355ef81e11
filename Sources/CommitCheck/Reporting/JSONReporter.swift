import Foundation

/// Renders the machine-readable `commitcheck-report/1` document (DESIGN §5).
public enum JSONReporter {
    public static func render(_ report: Report) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(report) else { return "{}" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

extension JSONReporter {
    /// Reads a document this reporter wrote (`commitcheck merge` reads shard reports back).
    public static func decode(_ bytes: [UInt8]) throws -> Report {
        try JSONDecoder().decode(Report.self, from: Data(bytes))
    }
}
