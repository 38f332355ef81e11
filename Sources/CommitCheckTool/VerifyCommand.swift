import ArgumentParser
import CommitCheck
import RegisterHistories
import Dispatch
import Foundation

extension Engine: ExpressibleByArgument {}

extension ReportFormat: ExpressibleByArgument {}
extension StreamMode: ExpressibleByArgument {}

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

    @Option(help: "Output format: text, json, junit, github (workflow annotations) or sarif.")
    var format: ReportFormat = .text

    @Option(help: "Also write the report to this file.")
    var output: String?

    @Option(help: ArgumentHelp("Also write a self-contained HTML timeline of the report to this file.", valueName: "file"))
    var html: String?

    @Option(help: "auto: graph fast path where exact, Z3 for the rest; z3: Z3 for every key.")
    var engine: Engine = .auto

    @Option(parsing: .unconditional, help: "Wall-time limit of the whole check in seconds (after reading): past it, running solver checks stop and every key not decided yet is unknown.")
    var timeout: Double?

    @Option(name: .customLong("fail-on"), help: "possible: violated and possible fail the run; violated: only violated does.")
    var failOn: FailurePolicy = .possible

    @OptionGroup(title: "Register histories")
    var registers: RegisterHistoryOptions

    @Flag(help: "Skip unknown event kinds instead of failing.")
    var lenient = false

    @Option(name: .customLong("max-memory"), parsing: .unconditional, help: "Memory limit in megabytes: reading a trace stops past it (exit 3), and a key whose solver passes it is unknown. Default: 90% of the machine's memory for reading, none for Z3.")
    var maxMemory: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Check only shard i of n of the keys (0-based), e.g. 2/8; merge the shards' JSON reports.", valueName: "i/n"))
    var shard: String?

    @Flag(name: .customLong("allow-empty"), help: "Pass a history with nothing to check: no commit and no fetch, or with --from no client operation (by default it is an error: a run that checked nothing).")
    var allowEmpty = false

    @Flag(help: "For keys that hold, print the ordering facts the proof rests on.")
    var explain = false

    @Option(help: ArgumentHelp("Write each bad key's minimal sub-trace here (one commitcheck/1 history per key, each starting with a meta line that names the key and verdict).", valueName: "file"))
    var counterexample: String?

    @Option(name: .customLong("minimize-timeout"), parsing: .unconditional, help: "Seconds of counterexample minimisation per bad key; past it the trace shown is marked not minimal. 0 turns minimisation off.")
    var minimizeTimeout: Double = 10

    @Option(help: "auto (the default): stream a trace of 256 MB or more that qualifies (one clock, specs/scaling.md), holding only open windows, and hold smaller ones whole (faster per event); on: stream any trace that qualifies, saying why one does not; off: always hold the whole history. The report names the path that ran.")
    var stream: StreamMode = .auto

    @Option(name: .customLong("reset-clients"), help: ArgumentHelp("Commits whose Kafka client id (a send's client) matches this glob are intended resets, as from an operator's tool: monotonic does not count a decrease into them (repeatable, e.g. 'adminclient-*').", valueName: "pattern"))
    var resetClients: [String] = []

    func validate() throws {
        if traces.isEmpty { throw ValidationError("give at least one trace file") }
        if let timeout, !(timeout > 0) { throw ValidationError("--timeout must be a positive number of seconds") }
        if !(minimizeTimeout >= 0) { throw ValidationError("--minimize-timeout must be zero or more seconds") }
        if let maxMemory, maxMemory < 1 { throw ValidationError("--max-memory must be a positive number of megabytes") }
        if shard != nil && parsedShard == nil { throw ValidationError("--shard takes i/n with 0 <= i < n, e.g. 0/4") }
    }

    func run() throws {
        var options = VerifyOptions(engine: engine, timeout: timeout, lenient: lenient)
        options.explain = explain
        options.minimizeTimeout = minimizeTimeout
        options.maxMemoryMegabytes = maxMemory
        options.memoryBudget = maxMemory.map(MemoryBudget.init(megabytes:)) ?? .machineDefault
        options.shard = parsedShard
        options.resetClients = resetClients
        // SIGINT: stop deciding, interrupt Z3, and still print what was decided so far.
        let cancellation = Cancellation()
        options.cancellation = cancellation
        let progress = TerminalProgress.forStandardError()
        SignalWatcher.watch([SIGINT]) { _ in
            progress?.finish()
            FileOutput.standardError("interrupted: finishing with what is decided so far\n")
            cancellation.cancel()
        }
        if let source = registers.from {
            let report: Report
            do {
                report = try RegisterHistoryCheck.run(paths: traces, source: source, model: registers.model, initial: registers.initial,
                                                      timeout: timeout, minimizeTimeout: minimizeTimeout, allowEmpty: allowEmpty,
                                                      cancellation: cancellation)
            } catch {
                FileOutput.standardError("error: \(error)\n")
                throw ExitCode(ExitStatus.badInput.rawValue)
            }
            try finish(report)
            return
        }
        let documents: [TraceReader.Document]
        var report: Report
        do {
            let started = DispatchTime.now().uptimeNanoseconds
            var reader = TraceReader(lenient: lenient, memoryBudget: options.memoryBudget)
            reader.cancellation = cancellation
            if let progress { reader.progress = { progress.reading($0, of: $1) } }
            // The streaming path when the trace qualifies (specs/scaling.md); the report names the path.
            var pathReason = html != nil ? "--html needs the whole history" : StreamingVerifier(options: options, mode: stream).optionsBlockStreaming(paths: traces)
            var streamed: Report? = nil
            if pathReason == nil {
                switch try StreamingVerifier(options: options, mode: stream).stream(path: traces[0]) {
                case .report(let result): streamed = result
                case .ineligible(let reason): pathReason = reason
                }
                if stream == .on, let pathReason { FileOutput.standardError("note: not streaming: \(pathReason); checking the whole history\n") }
            }
            if let streamed {
                progress?.finish()
                documents = []
                report = streamed
            } else {
            documents = try reader.readDocuments(paths: traces)
            let parseSeconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            if !allowEmpty, let nothing = TraceReader.nothingToCheck(documents, paths: traces) {
                progress?.finish()
                throw FileOutput.failure(nothing)
            }
            var verifying = options
            if let progress {
                let shard = options.shard
                progress.deciding(keys: documents.reduce(0) { count, document in
                    count + document.history.membersByKey().keys.filter { shard == nil || $0.shard(of: shard!.count) == shard!.index }.count
                })
                verifying.keyDecided = { progress.keyDecided() }
            }
            report = try Verifier(options: verifying).verify(documents: documents, paths: traces)
            progress?.finish()
            report.statistics?.parseSeconds = parseSeconds
            report.path = .wholeHistory(pathReason ?? "")
            }
        } catch let error as TraceError {
            progress?.finish()
            FileOutput.standardError("error: \(error)\n")
            // A resource limit is not bad input: nothing was decided (specs/verdicts.md, "Exit codes": 3).
            throw ExitCode(error.isResourceLimit ? ExitStatus.unknown.rawValue : ExitStatus.badInput.rawValue)
        }
        if let counterexample {
            let traces = report.keys.compactMap { $0.verdict == .violated || $0.verdict == .possible ? $0.counterexample?.subTrace : nil }
            try FileOutput.write(traces.joined(), to: counterexample)
        }
        if let html {
            if documents.count > 1 { FileOutput.standardError("warning: --html shows the first of \(documents.count) histories in this file\n") }
            try FileOutput.write(HTMLReporter.render(history: documents[0].history, report: report), to: html)
        }
        try finish(report)
    }

    var parsedShard: (index: Int, count: Int)? {
        guard let shard else { return nil }
        let parts = shard.split(separator: "/")
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count > 0, index >= 0, index < count else { return nil }
        return (index, count)
    }

    /// Prints the report in the chosen format (and to --output), then exits with its code.
    private func finish(_ report: Report) throws {
        for warning in report.warnings { FileOutput.standardError("warning: \(warning)\n") }
        let rendered = try format.render(report, failOn: failOn.threshold)
        FileOutput.standardOutput(rendered)
        if let output { try FileOutput.write(rendered, to: output) }
        let code = ExitStatus(report, failOn: failOn)
        if code != .pass { throw ExitCode(code.rawValue) }
    }
}
