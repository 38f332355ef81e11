import CommitCheckTestSupport
import Foundation
import Testing
@testable import CommitCheck
@testable import CommitCheckTool

/// `commitcheck --version` and the `tool` member of JSON reports: both say ``ToolVersion``'s values.
@Suite struct ToolVersionTests {
    @Test func versionIsSemantic() {
        #expect(ToolVersion.name == "commitcheck")
        #expect(ToolVersion.version.wholeMatch(of: /[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?/) != nil,
                "'\(ToolVersion.version)' is not MAJOR.MINOR.PATCH; scripts/release names the archive after it")
    }

    @Test func versionFlagPrintsTheVersionAndExitsZero() throws {
        let result = try Fixtures.run(["--version"])
        #expect(result.code == 0, "\(result)")
        #expect(result.out == ToolVersion.version + "\n", "\(result)")
        #expect(result.err.isEmpty, "\(result)")
    }

    /// Parsed the way `main()` parses: `--version` is not taken for a trace by the default `verify`.
    @Test func versionFlagIsNotATraceFile() {
        let outcome = CommandLineOutcome(CommitCheckCommand.self, ["--version"])
        #expect(outcome.exitCode == 0, "\(outcome)")
        #expect(outcome.message == ToolVersion.version, "\(outcome)")
    }

    @Test func jsonReportNamesTheTool() throws {
        let result = try Fixtures.run(["verify", "--format", "json", "histories/sarama-2940-seed.jsonl"])
        #expect(result.code == 1, "\(result)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
        let tool = try #require(object["tool"] as? [String: Any], "no tool member in \(result.out)")
        #expect(tool["name"] as? String == "commitcheck")
        #expect(tool["version"] as? String == ToolVersion.version)
        #expect(tool.count == 2, "\(tool)")
        // The report's own members are all still there.
        #expect(object["format"] as? String == "commitcheck-report/1")
        #expect(object["verdict"] as? String == "violated")
    }

    /// A merged report names the tool too, and reading a stamped report back (`merge` does) works.
    @Test func mergedReportNamesTheTool() throws {
        let directory = try PackagePaths.temporaryDirectory("tool-version")
        defer { try? FileManager.default.removeItem(at: directory) }
        var paths: [String] = []
        for index in 0..<2 {
            let path = directory.appendingPathComponent("shard-\(index).json").path
            let run = try Fixtures.run(["verify", "--format", "json", "--shard", "\(index)/2", "--output", path,
                                        "histories/sarama-2940-seed.jsonl"])
            #expect(run.code != 2, "\(run)")
            paths.append(path)
        }
        let merged = try Fixtures.run(["merge", "--format", "json"] + paths)
        #expect(merged.code == 1, "\(merged)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(merged.out.utf8)) as? [String: Any])
        #expect((object["tool"] as? [String: Any])?["version"] as? String == ToolVersion.version, "\(merged.out)")
        #expect(object["shard"] == nil)
    }

    /// The stamp is the renderer's: a report rendered in-process carries it, exactly once.
    @Test func renderedReportCarriesTheStampOnce() throws {
        let report = Report(traces: ["t.jsonl"], keys: [])
        let text = try JSONReporter.render(report)
        #expect(text.components(separatedBy: "\"tool\"").count == 2, "\(text)")
        #expect(text.contains("\"version\" : \"\(ToolVersion.version)\""), "\(text)")
        #expect(try JSONReporter.decode(Array(text.utf8)) == report)
    }
}
