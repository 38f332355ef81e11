import Foundation

/// Renders a sweep's results as a terminal table, CSV, JSON and SVG charts.
public enum SweepReport {
    /// The knobs that differ between cells (always the four swept ones), and the rest.
    static func knobColumns(_ results: [Sweep.CellResult]) -> (varying: [String], shared: [(name: String, value: String)]) {
        guard let first = results.first?.cell.knobs else { return (["strategy", "partitions", "commit-every", "latency-ns"], []) }
        let swept: Set<String> = ["strategy", "partitions", "commit-every", "latency-ns"]
        var varying: [String] = []
        var shared: [(name: String, value: String)] = []
        for (index, knob) in first.enumerated() {
            if swept.contains(knob.name) || results.contains(where: { $0.cell.knobs[index].value != knob.value }) {
                varying.append(knob.name)
            } else {
                shared.append(knob)
            }
        }
        return (varying, shared)
    }

    /// A terminal table: a line naming every knob shared by all cells, then one row per cell with
    /// the knobs that differ and what its runs showed.
    public static func table(_ results: [Sweep.CellResult]) -> String {
        let (varying, shared) = knobColumns(results)
        let out = "every cell: " + shared.map { "\($0.name) \($0.value)" }.joined(separator: ", ") + "\n"
        let measures = ["runs", "regressed", "regressions/run", "wrong final", "mean drop", "drops", "possible", "violated", "unknown", "verify ms"]
        let headers = varying + measures
        var rows: [[String]] = []
        for r in results {
            let knobs = Dictionary(r.cell.knobs.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
            rows.append(varying.map { knobs[$0] ?? "" } + [
                String(r.runs), percent(r.regressed), String(format: "%.1f", r.meanRegressions), percent(r.wrongFinal),
                String(format: "%.1f", r.meanRegressionSize), dropRange(r), percent(r.possible), percent(r.violated),
                percent(r.unknown), String(format: "%.2f", r.verifyMilliseconds),
            ])
        }
        let widths = headers.indices.map { column in ([headers[column]] + rows.map { $0[column] }).map(\.count).max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, text in column == 0 ? pad(text, widths[column], left: true) : pad(text, widths[column]) }
                .joined(separator: "  ") + "\n"
        }
        return out + line(headers) + rows.map(line).joined()
    }

    /// One row per cell: every knob, then the measures.
    public static func csv(_ results: [Sweep.CellResult]) -> String {
        let knobNames = SimulationConfig(strategy: .unsynchronized).knobs.map(\.name)
        var out = (knobNames + ["runs", "regressed", "mean_regressions", "wrong_final", "mean_regression_size", "min_largest_drop",
                                "max_largest_drop", "possible", "violated", "unknown", "verify_ms"]).joined(separator: ",") + "\n"
        for r in results {
            out += (r.cell.knobs.map(\.value) + ["\(r.runs)", "\(r.regressed)", "\(r.meanRegressions)", "\(r.wrongFinal)",
                                                 "\(r.meanRegressionSize)", "\(r.largestDrops.lowerBound)", "\(r.largestDrops.upperBound)",
                                                 "\(r.possible)", "\(r.violated)", "\(r.unknown)", "\(r.verifyMilliseconds)"]).joined(separator: ",") + "\n"
        }
        return out
    }

    /// An array of cells, each with `knobs` (every knob by its command-line name) and its measures.
    public static func json(_ results: [Sweep.CellResult]) -> String {
        struct Entry: Encodable {
            var knobs: [String: String]
            var runs: Int
            var regressed, meanRegressions, wrongFinal, meanRegressionSize: Double
            var minLargestDrop, maxLargestDrop: Int
            var possible, violated, unknown, verifyMilliseconds: Double
        }
        let entries = results.map { r in
            Entry(knobs: Dictionary(r.cell.knobs.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }), runs: r.runs,
                  regressed: r.regressed, meanRegressions: r.meanRegressions, wrongFinal: r.wrongFinal,
                  meanRegressionSize: r.meanRegressionSize, minLargestDrop: r.largestDrops.lowerBound,
                  maxLargestDrop: r.largestDrops.upperBound, possible: r.possible, violated: r.violated,
                  unknown: r.unknown, verifyMilliseconds: r.verifyMilliseconds)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: (try? encoder.encode(entries)) ?? Data(), as: UTF8.self) + "\n"
    }

    static func dropRange(_ r: Sweep.CellResult) -> String {
        r.largestDrops.upperBound == 0 ? "-" : r.largestDrops.lowerBound == r.largestDrops.upperBound
            ? "\(r.largestDrops.lowerBound)" : "\(r.largestDrops.lowerBound)-\(r.largestDrops.upperBound)"
    }

    /// The share of runs that regressed against one dimension, averaged over the others, per strategy.
    public static func chart(_ results: [Sweep.CellResult], by dimension: KeyPath<SimulationConfig, Int>, title: String, xLabel: String) -> String {
        let xs = Array(Set(results.map { $0.cell[keyPath: dimension] })).sorted()
        let strategies = CommitStrategy.allCases.filter { strategy in results.contains { $0.cell.strategy == strategy } }
        let series = strategies.map { strategy -> (name: String, values: [Double]) in
            (strategy.rawValue, xs.map { x in
                let cells = results.filter { $0.cell.strategy == strategy && $0.cell[keyPath: dimension] == x }
                return cells.isEmpty ? 0 : cells.map(\.regressed).reduce(0, +) / Double(cells.count)
            })
        }
        return LineChartSVG(title: title, xLabel: xLabel, yLabel: "runs whose committed offset went backwards",
                            xValues: xs.map(String.init), series: series).render()
    }

    static func percent(_ value: Double) -> String { String(format: "%.0f%%", value * 100) }

    static func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return left ? text + padding : padding + text
    }
}
