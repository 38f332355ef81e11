import Foundation
import Testing
@testable import CommitCheck

/// JUnit, SARIF and GitHub annotations: valid against their schemas, escaped, pointing at lines.
@Suite struct ReportFormatTests {
    /// A report with awkward text everywhere a user's names can reach.
    static var awkwardReport: Report {
        let example = Counterexample(summary: "a <b> & \"c\" 'd' ]]> % 50%, x:y\r\nz \u{01} é 日本",
                                     narrative: ["line 3 <proc&>", "tab\there"], lines: [3, 9])
        return Report(traces: ["traces/run 1.jsonl"], keys: [
            KeyResult(group: "g<&>", topic: "t", partition: 0, property: .monotonic, verdict: .violated, counterexample: example),
            KeyResult(group: "g", topic: "t", partition: 1, property: .monotonic, verdict: .possible, counterexample: example),
            KeyResult(group: "g", topic: "t", partition: 2, property: .monotonic, verdict: .unknown, reason: "Z3: timeout"),
            KeyResult(group: "g", topic: "t", partition: 3, property: .monotonic, verdict: .holds),
            KeyResult(group: "g", topic: "t", partition: 0, property: .linearizable, verdict: .violated, counterexample: example),
        ])
    }

    static func reports() throws -> [(String, Report)] {
        let files = ["sarama-2940-seed.jsonl", "sarama-latent-race.jsonl", "fetch-stale-read.jsonl", "sarama-commit-mutex.jsonl"]
        var reports = try files.map { ($0, try Verifier().verify(paths: ["histories/" + $0].map { Fixtures.packageRoot.appendingPathComponent($0).path })) }
        reports.append(("awkward", awkwardReport))
        return reports
    }

    @Test func junitAndSARIFValidateAgainstTheirSchemas() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var junit: [String] = [], sarif: [String] = []
        for (name, report) in try Self.reports() {
            for policy in [Verdict.possible, .violated] {
                let base = directory.appendingPathComponent("\(name)-\(policy.rawValue)").path
                try ReportFormat.junit.render(report, failOn: policy).write(toFile: base + ".xml", atomically: true, encoding: .utf8)
                try ReportFormat.sarif.render(report, failOn: policy).write(toFile: base + ".sarif", atomically: true, encoding: .utf8)
                junit.append(base + ".xml")
                sarif.append(base + ".sarif")
            }
        }
        let python = try Fixtures.python()
        let script = Fixtures.packageRoot.appendingPathComponent("Tests/CommitCheckTests/Schemas/validate_reports.py").path
        let junitRun = try Fixtures.runProgram(python, [script, "junit"] + junit)
        #expect(junitRun.code == 0, "\(junitRun.output)")
        #expect(junitRun.output.components(separatedBy: "\nok ").count == junit.count)
        let sarifRun = try Fixtures.runProgram(python, [script, "sarif"] + sarif)
        #expect(sarifRun.code == 0, "\(sarifRun.output)")
        // The validators do reject broken documents.
        let broken = directory.appendingPathComponent("broken.xml").path
        try "<testsuites><testsuite name=\"x\"><testcase/></testsuite></testsuites>".write(toFile: broken, atomically: true, encoding: .utf8)
        #expect(try Fixtures.runProgram(python, [script, "junit", broken]).code == 1)
    }

    @Test func shippedTracesMatchTheTraceSchema() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Fixtures.histories.path).filter { $0.hasSuffix(".jsonl") }
            .map { Fixtures.histories.appendingPathComponent($0).path }
        let script = Fixtures.packageRoot.appendingPathComponent("Tests/CommitCheckTests/Schemas/validate_reports.py").path
        let run = try Fixtures.runProgram(try Fixtures.python(), [script, "trace"] + files)
        #expect(run.code == 0, "\(run.output)")
    }

    @Test func junitCountsFollowThePolicy() {
        let report = Self.awkwardReport
        let strict = JUnitReporter.render(report, failOn: .possible)
        let lenient = JUnitReporter.render(report, failOn: .violated)
        #expect(strict.contains("failures=\"3\"") && strict.contains("errors=\"1\""))
        #expect(lenient.contains("failures=\"2\""))
        #expect(strict.contains("&lt;b&gt; &amp; &quot;c&quot;"))
        #expect(!strict.contains("\u{01}"))
    }

    @Test func githubAnnotationsPointAtFileAndLine() {
        let out = GitHubAnnotationsReporter.render(Self.awkwardReport, failOn: .violated)
        let lines = out.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("::error ") }.count == 2)
        #expect(lines.filter { $0.hasPrefix("::warning ") }.count == 2)
        #expect(lines.allSatisfy { !$0.contains("\r") })
        #expect(out.contains("::error file=traces/run 1.jsonl,line=3,title=commitcheck%3A g<&> t/0 monotonic violated::"))
        #expect(out.contains("50%25%2C") == false && out.contains("50%25,"))
        #expect(lines.last?.hasPrefix("::notice title=commitcheck::5 key(s)") == true)
    }

    @Test func outputFileAlongsideStdout() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("report.sarif").path
        let run = try Fixtures.run(["verify", "--format", "sarif", "--output", file, "histories/sarama-2940-seed.jsonl"])
        #expect(run.code == 1)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == run.out)
        let sarif = try #require(try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
        let result = try #require(((sarif["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]])?.first)
        let region = ((result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["region"] as? [String: Any]
        #expect(region?["startLine"] as? Int == 7)
    }

    /// `KeyResult.subject` is an enum, but the JSON members stay the flat ones tools read.
    @Test func keySubjectKeepsItsJSONMembers() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let partition = KeyResult(group: "g", topic: "t", partition: 3, property: .monotonic, verdict: .holds, engine: "graph")
        let register = KeyResult(register: "r1", property: .linearizable, verdict: .violated)
        #expect(String(decoding: try encoder.encode(partition), as: UTF8.self)
                == #"{"engine":"graph","group":"g","partition":3,"property":"monotonic","topic":"t","verdict":"holds"}"#)
        #expect(String(decoding: try encoder.encode(register), as: UTF8.self)
                == #"{"property":"linearizable","register":"r1","verdict":"violated"}"#)
        for result in [partition, register] {
            #expect(try JSONDecoder().decode(KeyResult.self, from: encoder.encode(result)) == result)
        }
        // A partition result without its partition is not silently half a key.
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(KeyResult.self, from: Data(#"{"group":"g","topic":"t","property":"monotonic","verdict":"holds"}"#.utf8))
        }
    }

    /// The seed split into one file per thread: the story starts in G1.jsonl, not the first trace.
    static func splitSeed() throws -> (paths: [String], report: Report) {
        let seed = try String(contentsOf: Fixtures.histories.appendingPathComponent("sarama-2940-seed.jsonl"), encoding: .utf8)
        let directory = try Fixtures.temporaryDirectory()
        var paths: [String] = []
        for thread in ["G0", "G1"] {
            let file = directory.appendingPathComponent("\(thread).jsonl")
            try seed.split(separator: "\n").filter { $0.contains("\"thread\":\"\(thread)\"") }.joined(separator: "\n")
                .write(to: file, atomically: true, encoding: .utf8)
            paths.append(file.path)
        }
        return (paths, try Verifier().verify(paths: paths))
    }

    @Test func annotationsPointIntoTheFileOfTheEvidence() throws {
        let (paths, report) = try Self.splitSeed()
        defer { try? FileManager.default.removeItem(at: URL(fileURLWithPath: paths[0]).deletingLastPathComponent()) }
        let bad = try #require(report.keys.first { $0.verdict == .violated })
        let evidence = try #require(bad.counterexample?.evidence)
        let first = try #require(evidence.events.first)
        #expect(Set(evidence.files) == Set(paths), "the evidence spans both files")
        let github = GitHubAnnotationsReporter.render(report)
        #expect(github.contains("::error file=\(GitHubAnnotationsReporter.escapeProperty(first.file!)),line=\(first.line!),"))
        let sarif = try #require(try JSONSerialization.jsonObject(with: Data(SARIFReporter.render(report).utf8)) as? [String: Any])
        let result = try #require(((sarif["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]])?.first)
        let location = try #require((result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
        #expect((location["artifactLocation"] as? [String: Any])?["uri"] as? String == SARIFReporter.uri(first.file!))
        #expect((location["artifactLocation"] as? [String: Any])?["index"] as? Int == paths.firstIndex(of: first.file!))
        let related = try #require(result["relatedLocations"] as? [[String: Any]])
        let files = Set(related.compactMap { (($0["physicalLocation"] as? [String: Any])?["artifactLocation"] as? [String: Any])?["uri"] as? String })
        #expect(files.union([SARIFReporter.uri(first.file!)]) == Set(paths.map(SARIFReporter.uri)))
    }

    /// The JSON report carries the typed evidence, and it reads back.
    @Test func jsonCarriesTheTypedEvidence() throws {
        let report = try Verifier().verify(paths: [Fixtures.histories.appendingPathComponent("sarama-2940-seed.jsonl").path])
        let json = try JSONReporter.render(report)
        let back = try JSONReporter.decode(Array(json.utf8))
        #expect(back == report)
        let example = try #require(report.keys.first { $0.verdict == .violated }?.counterexample)
        let evidence = try #require(example.evidence)
        #expect(Set(evidence.events.compactMap(\.line)) == Set(example.lines))
        #expect(evidence.earlierApply?.commit == example.earlierCommit && evidence.laterApply?.commit == example.laterCommit)
        #expect(evidence.witness.map(\.name) == example.schedule)
        #expect(!evidence.forced.isEmpty)
        // The chain runs from the earlier apply point to the later one, each step starting where the last ended.
        #expect(evidence.forced.first?.from == evidence.earlierApply && evidence.forced.last?.to == evidence.laterApply)
        for (a, b) in zip(evidence.forced, evidence.forced.dropFirst()) { #expect(a.to == b.from) }
        #expect(json.contains("\"forced\" : ["))
    }
}
