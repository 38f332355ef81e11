import Foundation

/// Renders a sweep's results as a terminal table, CSV, JSON and SVG charts.
public enum SweepReport {
    public static func table(_ results: [Sweep.CellResult]) -> String {
        var out = "strategy        partitions  commit-every  latency  runs  regressed  possible  violated  unknown  mean drop  verify ms\n"
        for r in results {
            out += pad(r.cell.strategy, 16, left: true) + pad(String(r.cell.partitions), 10) + pad(String(r.cell.commitEvery), 14)
                + pad(String(r.cell.latency), 9) + pad(String(r.runs), 6) + pad(percent(r.regressed), 11) + pad(percent(r.possible), 10)
                + pad(percent(r.violated), 10) + pad(percent(r.unknown), 9) + pad(String(format: "%.1f", r.meanRegressionSize), 11)
                + pad(String(format: "%.2f", r.verifyMilliseconds), 11) + "\n"
        }
        return out
    }

    public static func csv(_ results: [Sweep.CellResult]) -> String {
        var out = "strategy,partitions,commit_every,latency_ns,runs,regressed,possible,violated,unknown,mean_regression_size,verify_ms\n"
        for r in results {
            out += "\(r.cell.strategy),\(r.cell.partitions),\(r.cell.commitEvery),\(r.cell.latency),\(r.runs),"
                + "\(r.regressed),\(r.possible),\(r.violated),\(r.unknown),\(r.meanRegressionSize),\(r.verifyMilliseconds)\n"
        }
        return out
    }

    public static func json(_ results: [Sweep.CellResult]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: (try? encoder.encode(results)) ?? Data(), as: UTF8.self) + "\n"
    }

    /// The share of runs that regressed against one dimension, averaged over the others, per strategy.
    public static func chart(_ results: [Sweep.CellResult], by dimension: KeyPath<Sweep.Cell, Int>, title: String, xLabel: String) -> String {
        let xs = Array(Set(results.map { $0.cell[keyPath: dimension] })).sorted()
        let strategies = CommitStrategy.allCases.map(\.rawValue).filter { name in results.contains { $0.cell.strategy == name } }
        let series = strategies.map { strategy -> (name: String, values: [Double]) in
            (strategy, xs.map { x in
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
