import Foundation

/// Renders SARIF 2.1.0: the trace is the artifact, each key that does not hold is a result located
/// at the first event of its evidence, with the story as the message.
public enum SARIFReporter {
    public static func render(_ report: Report, failOn policy: FailurePolicy = .possible) -> String {
        let artifacts: [[String: Any]] = report.traces.map { ["location": ["uri": uri($0)]] }
        var results: [[String: Any]] = []
        for key in report.keys where key.verdict != .holds {
            var result: [String: Any] = [
                "ruleId": key.property.rawValue,
                "level": key.fails(policy) ? "error" : (key.verdict == .unknown ? "note" : "warning"),
                "message": ["text": key.evidenceText],
                "properties": ["verdict": key.verdict.rawValue, "group": key.group ?? "", "topic": key.topic ?? "",
                               "partition": key.partition ?? -1],
            ]
            if let trace = report.traces.first {
                var physical: [String: Any] = ["artifactLocation": ["uri": uri(trace), "index": 0]]
                if let line = key.counterexample?.lines.first { physical["region"] = ["startLine": line] }
                result["locations"] = [["physicalLocation": physical]]
            }
            results.append(result)
        }
        let rules: [[String: Any]] = [
            ["id": "monotonic", "shortDescription": ["text": "Committed offsets of a partition never go backwards"],
             "fullDescription": ["text": "No schedule consistent with the recorded history lets a consumer group's committed offset decrease."]],
            ["id": "linearizable", "shortDescription": ["text": "Fetched offsets fit one schedule of the commits"],
             "fullDescription": ["text": "Every OffsetFetch result is the offset of the last commit applied before it, or the initial value."]],
        ]
        let log: [String: Any] = [
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [[
                "tool": ["driver": ["name": "commitcheck", "semanticVersion": "0.1.0", "rules": rules]],
                "artifacts": artifacts,
                "results": results,
            ]],
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: log, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else {
            return "{}\n"
        }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// A relative path as a URI reference (percent-encoding what a URI cannot hold).
    static func uri(_ path: String) -> String {
        path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
    }
}
