import CommitCheck
import CommitCheckTestSupport
import Foundation
import Testing
@testable import Simulation

/// The sweep's outputs have the promised shapes; charts are well-formed SVG.
@Suite struct AnalyzeTests {
    @Test func smallSweepShapes() throws {
        var sweep = Sweep()
        sweep.partitions = [1, 4]
        sweep.commitEvery = [1]
        sweep.latencies = [150_000]
        sweep.seeds = 6
        sweep.base.messages = 6
        let results = try sweep.run { _, _ in }
        #expect(results.count == 4 * 2)
        #expect(results.allSatisfy { $0.runs == 6 && (0...1).contains($0.regressed) })
        // With timestamps every run is decided, and `violated` is exactly the truth.
        #expect(results.allSatisfy { $0.violated == $0.regressed && $0.possible == 0 && $0.unknown == 0 })
        #expect(results.filter { $0.cell.strategy != .unsynchronized }.allSatisfy { $0.regressed == 0 && $0.wrongFinal == 0 })
        #expect(results.allSatisfy { $0.regressed > 0 || ($0.meanRegressions == 0 && $0.largestDrops == 0...0) })
        // Every knob of every cell in every format (issue 20 item 4): nothing derived unsaid.
        let knobNames = SimulationConfig(strategy: .unsynchronized).knobs.map(\.name)
        #expect(knobNames.count == 18 && knobNames.contains("jitter-ns") && knobNames.contains("fetch-wait-ns"))
        let csv = SweepReport.csv(results).split(separator: "\n")
        #expect(csv.count == 1 + results.count && csv.allSatisfy { $0.split(separator: ",").count == knobNames.count + 11 })
        #expect(csv[0].hasPrefix(knobNames.joined(separator: ",")))
        #expect(csv[1].hasPrefix("unsynchronized,1,1,6,1,40000,150000,50000,10000,50000,10000000,700000,3,500000,50000000,0.0,30000000000,true,6,"))
        let json = try JSONSerialization.jsonObject(with: Data(SweepReport.json(results).utf8)) as? [[String: Any]]
        #expect(json?.count == results.count)
        #expect(json?.allSatisfy { Set(($0["knobs"] as? [String: String]).map { Array($0.keys) } ?? []) == Set(knobNames) } == true)
        #expect((json?.first?["knobs"] as? [String: String])?["jitter-ns"] == "50000")
        let table = SweepReport.table(results).split(separator: "\n")
        #expect(table.count == 2 + results.count)
        #expect(table[0] == "every cell: consumers 1, messages 6, processing-ns 40000, jitter-ns 50000, lookup-ns 10000, broker-ns 50000, "
                + "fetch-wait-ns 10000000, fetch-gap-ns 700000, messages-per-fetch 3, wake-ns 500000, interval-ns 50000000, failure-rate 0.0, "
                + "timeout-ns 30000000000, timestamps true")
        #expect(table[1].hasPrefix("strategy") && table[1].contains("partitions") && table[1].contains("latency-ns"))
        // The charts parse as XML and carry one line per strategy.
        let svg = SweepReport.chart(results, by: \.partitions, title: "t <&>", xLabel: "x")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("chart-\(UUID().uuidString).svg")
        try svg.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let python = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", "import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); print(len(r.findall('{http://www.w3.org/2000/svg}polyline')))", file.path], timeout: 60)
        #expect(python.status == 0, "\(python)")
        #expect(python.out.trimmingCharacters(in: .whitespacesAndNewlines) == "4")
    }

    /// A trace that cannot be read is an error naming the line, not a run counted as `unknown`.
    @Test func unreadableTraceIsAnErrorNotUnknown() throws {
        let good = ConsumerGroupSimulator.run(SimulationConfig(strategy: .brokerLock)).0
        #expect(try Sweep.verdicts(of: good, timeout: 10).allSatisfy { $0 == .holds })
        let broken = good.split(separator: "\n").prefix(1).joined() + "\n{\"ev\":\"build\",\"proc\":\n"
        #expect {
            _ = try Sweep.verdicts(of: broken, timeout: 10)
        } throws: { error in
            (error as? TraceError)?.line == 2
        }
        let failure = Sweep.VerificationFailure(cell: SimulationConfig(strategy: .brokerLock), underlying: TraceError(line: 2, message: "bad"))
        #expect(failure.description.contains("strategy broker-lock") && failure.description.contains("could not be verified"), "\(failure)")
    }

    @Test func recordedTraceSummary() throws {
        let path = PackagePaths.histories.appendingPathComponent("simulated/unsynchronized-4p-seed3.jsonl").path
        let summary = try TraceAnalysis.analyze(path: path)
        #expect(summary.verdicts["monotonic violated"] == 3 && summary.verdicts["monotonic holds"] == 1)
        #expect(summary.regressionSizes == [1, 1, 1])
        #expect(summary.pairs > 0)
        let text = TraceAnalysis.render([summary, summary])
        #expect(text.contains("total\n  keys: 2 monotonic holds, 6 monotonic violated"))
    }
}
