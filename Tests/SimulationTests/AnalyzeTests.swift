import Foundation
import Testing
@testable import Simulation

/// The sweep's outputs have the promised shapes; charts are well-formed SVG.
@Suite struct AnalyzeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func smallSweepShapes() throws {
        var sweep = Sweep()
        sweep.partitions = [1, 4]
        sweep.commitEvery = [1]
        sweep.latencies = [200]
        sweep.seeds = 6
        sweep.messages = 6
        let results = sweep.run { _, _ in }
        #expect(results.count == 4 * 2)
        #expect(results.allSatisfy { $0.runs == 6 && (0...1).contains($0.regressed) })
        // With timestamps every run is decided, and `violated` is exactly the truth.
        #expect(results.allSatisfy { $0.violated == $0.regressed && $0.possible == 0 && $0.unknown == 0 })
        #expect(results.filter { $0.cell.strategy != "unsynchronized" }.allSatisfy { $0.regressed == 0 })
        let csv = SweepReport.csv(results).split(separator: "\n")
        #expect(csv.count == 1 + results.count && csv.allSatisfy { $0.split(separator: ",").count == 11 })
        let json = try JSONSerialization.jsonObject(with: Data(SweepReport.json(results).utf8)) as? [[String: Any]]
        #expect(json?.count == results.count)
        #expect(SweepReport.table(results).split(separator: "\n").count == 1 + results.count)
        // The charts parse as XML and carry one line per strategy.
        let svg = SweepReport.chart(results, by: \.partitions, title: "t <&>", xLabel: "x")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("chart-\(UUID().uuidString).svg")
        try svg.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); print(len(r.findall('{http://www.w3.org/2000/svg}polyline')))", file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "4")
    }

    @Test func recordedTraceSummary() throws {
        let path = Self.root.appendingPathComponent("histories/simulated/unsynchronized-4p-seed3.jsonl").path
        let summary = try TraceAnalysis.analyze(path: path)
        #expect(summary.verdicts["monotonic violated"] == 3 && summary.verdicts["monotonic holds"] == 1)
        #expect(summary.regressionSizes == [1, 1, 1])
        #expect(summary.pairs > 0)
        let text = TraceAnalysis.render([summary, summary])
        #expect(text.contains("total\n  keys: 2 monotonic holds, 6 monotonic violated"))
    }
}
