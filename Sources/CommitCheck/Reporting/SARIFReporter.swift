import Foundation

/// Renders SARIF 2.1.0: the traces are the artifacts, each key that does not hold is a result located
/// at the first event of its evidence (in that event's own file), the other evidence events as related
/// locations, with the story as the message.
package enum SARIFReporter {
    /// The log; throws when it cannot be serialised, rather than printing an empty document.
    package static func render(_ report: Report, failOn threshold: Verdict = .possible) throws -> String {
        let artifacts: [[String: Any]] = report.traces.map { ["location": ["uri": uri($0)]] }
        var results: [[String: Any]] = []
        for key in report.keys where key.verdict != .holds {
            var result: [String: Any] = [
                "ruleId": key.property.rawValue,
                "level": key.fails(threshold) ? "error" : (key.verdict == .unknown ? "note" : "warning"),
                "message": ["text": key.evidenceText],
                "properties": properties(of: key),
            ]
            func physical(_ file: String, _ line: Int?) -> [String: Any] {
                var artifact: [String: Any] = ["uri": uri(file)]
                if let index = report.traces.firstIndex(of: file) { artifact["index"] = index }
                var location: [String: Any] = ["artifactLocation": artifact]
                if let line { location["region"] = ["startLine": line] }
                return location
            }
            if let (file, line) = key.firstLocation(traces: report.traces) {
                result["locations"] = [["physicalLocation": physical(file, line)]]
                let others = (key.counterexample?.evidence?.events ?? []).dropFirst().filter { $0.file != nil && $0.line != nil }
                if !others.isEmpty {
                    result["relatedLocations"] = others.enumerated().map { index, event -> [String: Any] in
                        ["id": index + 1, "physicalLocation": physical(event.file!, event.line),
                         "message": ["text": "\(event.name) (\(event.proc ?? "")\(event.thread.map { $0 == "main" ? "" : "/" + $0 } ?? ""))"]]
                    }
                }
            } else if let trace = report.traces.first {
                result["locations"] = [["physicalLocation": physical(trace, nil)]]
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
        let data = try JSONSerialization.data(withJSONObject: log, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// The result's properties: the verdict and the partition (empty and -1 for a register).
    ///
    /// One switch on the subject, in a function of its own: reading `group`, `topic` and
    /// `partition` one after another inside the loop crashed Swift 6.3.1's optimiser
    /// (CopyPropagation, "Found ownership error") in release builds.
    @inline(never)
    static func properties(of key: KeyResult) -> [String: Any] {
        switch key.subject {
        case .partition(let group, let topic, let partition):
            ["verdict": key.verdict.rawValue, "group": group, "topic": topic, "partition": partition]
        case .register:
            ["verdict": key.verdict.rawValue, "group": "", "topic": "", "partition": -1]
        }
    }

    /// A relative path as a URI reference (percent-encoding what a URI cannot hold).
    static func uri(_ path: String) -> String {
        path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
    }
}
