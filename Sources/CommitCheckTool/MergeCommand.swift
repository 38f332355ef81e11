import ArgumentParser
import CommitCheck
import Foundation

/// `commitcheck merge`: joins the JSON reports of `verify --shard i/n` runs into one report.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the JSON reports of verify --shard i/n runs into the report of the whole trace.",
        // The generated usage lists every option on one line, past 80 columns.
        usage: "commitcheck merge [<options>] <report> ...",
        discussion: """
        Every shard 0..n-1 must be given exactly once, from runs over the same traces: overlapping or \
        missing shards are refused (exit 2). Exit codes as for verify.
        """
    )

    @Argument(help: ArgumentHelp("JSON reports written by verify --format json --shard i/n.", valueName: "report"))
    var reports: [String]

    @Option(help: "Output format: text, json, junit, github (workflow annotations) or sarif.")
    var format: ReportFormat = .text

    @Option(help: "Also write the merged report to this file.")
    var output: String?

    @Option(name: .customLong("fail-on"), help: "possible: violated and possible fail the run; violated: only violated does.")
    var failOn: FailurePolicy = .possible

    func validate() throws {
        if reports.isEmpty { throw ValidationError("give the JSON reports of every shard") }
    }

    func run() throws {
        var read: [(name: String, report: Report)] = []
        let merged: Report
        do {
            for path in reports {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw ReportMerge.Failure("\(path): cannot read the file")
                }
                read.append((path, try ReportMerge.decode(Array(data), name: path)))
            }
            merged = try ReportMerge.merge(read)
        } catch {
            throw FileOutput.failure("\(error)")
        }
        for warning in merged.warnings { FileOutput.standardError("warning: \(warning)\n") }
        let rendered = try format.render(merged, failOn: failOn.threshold)
        FileOutput.standardOutput(rendered)
        if let output { try FileOutput.write(rendered, to: output) }
        let code = ExitStatus(merged, failOn: failOn)
        if code != .pass { throw ExitCode(code.rawValue) }
    }
}
