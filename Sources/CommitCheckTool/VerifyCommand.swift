import ArgumentParser
import CommitCheck

extension Engine: ExpressibleByArgument {}
extension FailurePolicy: ExpressibleByArgument {}

/// The output formats of `verify`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that committed offsets can never go backwards.",
        discussion: """
        Exit codes: 0 every key holds; 1 a key is violated or possible (--fail-on violated lets \
        possible pass); 2 bad usage or bad input; 3 only unknown verdicts stand between the run and a pass.
        """
    )

    @Argument(help: "Trace files (commitcheck/1 JSON Lines). Several files are one history, e.g. one per process.")
    var traces: [String]

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(help: "Also write the report to this file.")
    var output: String?

    @Option(help: ArgumentHelp("Also write a self-contained HTML timeline of the report to this file.", valueName: "file"))
    var html: String?

    @Option(help: "auto: graph fast path where exact, Z3 for the rest; z3: Z3 for every key.")
    var engine: Engine = .auto

    @Option(help: "Per-key solver budget in seconds; past it the key is unknown.")
    var timeout: Double?

    @Option(name: .customLong("fail-on"), help: "possible: violated and possible fail the run; violated: only violated does.")
    var failOn: FailurePolicy = .possible

    @Flag(help: "Skip unknown event kinds instead of failing.")
    var lenient = false

    @Flag(help: "For keys that hold, print the ordering facts the proof rests on.")
    var explain = false

    @Option(help: ArgumentHelp("Write each bad key's minimal sub-trace here (one commitcheck/1 history per key, each starting with its meta line).", valueName: "file"))
    var counterexample: String?

    @Option(name: .customLong("minimize-timeout"), help: "Seconds of counterexample minimisation per bad key; past it the trace shown is marked not minimal.")
    var minimizeTimeout: Double = 10

    func validate() throws {
        if traces.isEmpty { throw ValidationError("give at least one trace file") }
        if let timeout, !(timeout > 0) { throw ValidationError("--timeout must be a positive number of seconds") }
        if !(minimizeTimeout >= 0) { throw ValidationError("--minimize-timeout must be zero or more seconds") }
    }

    func run() throws {
        var options = VerifyOptions(engine: engine, timeout: timeout, lenient: lenient)
        options.explain = explain
        options.minimizeTimeout = minimizeTimeout
        let history: History
        let report: Report
        do {
            history = try TraceReader(lenient: lenient).read(paths: traces)
            report = try Verifier(options: options).verify(history: history)
        } catch {
            FileOutput.standardError("error: \(error)\n")
            throw ExitCode(CommitCheck.ExitCode.badInput.rawValue)
        }
        for warning in report.warnings { FileOutput.standardError("warning: \(warning)\n") }
        let rendered = switch format {
        case .text: TextReporter.render(report)
        case .json: JSONReporter.render(report)
        }
        FileOutput.standardOutput(rendered)
        if let output { try FileOutput.write(rendered, to: output) }
        if let counterexample {
            let traces = report.keys.compactMap { $0.verdict == .violated || $0.verdict == .possible ? $0.counterexample?.subTrace : nil }
            try FileOutput.write(traces.joined(), to: counterexample)
        }
        if let html { try FileOutput.write(HTMLReporter.render(history: history, report: report), to: html) }
        let code = report.exitCode(failOn: failOn)
        if code != .pass { throw ExitCode(code.rawValue) }
    }
}
