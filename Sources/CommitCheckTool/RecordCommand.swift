import ArgumentParser
import CommitRecorder
import Dispatch
import Foundation
import NIOCore
import NIOPosix
import Recording

struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Collect trace lines that clients stream over TCP or a Unix socket into one trace file.",
        discussion: """
            Clients connect, write commitcheck/1 JSON lines, and shut down their writing side when done; \
            the collector answers each bad line with "error: line N: ..." (and does not write it), and \
            answers the end of a connection with "ok WRITTEN REJECTED" once the lines are on disk. \
            SIGINT or SIGTERM stops accepting, drains open connections (up to --drain-timeout), syncs \
            the file and exits 0. Shims: shims/python/commitcheck_recorder.py, shims/go/commitcheck.go.
            """
    )

    @Option(help: ArgumentHelp("Where to listen: HOST:PORT (TCP; port 0 picks one) or unix:PATH.", valueName: "address"))
    var listen: String

    @Option(help: ArgumentHelp("The trace file to write.", valueName: "file"))
    var out: String

    @Flag(help: "Append to --out instead of replacing it.")
    var append = false

    @Option(help: "Seconds to keep reading open connections after SIGINT/SIGTERM before closing them.")
    var drainTimeout: Double = 10

    @Flag(help: "Log only problems, not the start and the summary.")
    var quiet = false

    func validate() throws {
        if ListenAddress(parsing: listen) == nil {
            throw ValidationError("--listen: expected HOST:PORT or unix:PATH, got '\(listen)'")
        }
        if !(drainTimeout >= 0) { throw ValidationError("--drain-timeout must be zero or more seconds") }
    }

    func run() throws {
        let address = ListenAddress(parsing: listen)!
        let writer: DurableLineWriter
        do {
            writer = try DurableLineWriter(path: out, append: append)
        } catch {
            throw FileOutput.failure("\(error)")
        }
        var collector: TraceCollector?
        try ListeningService.run { group in
            let started = TraceCollector(writer: writer, group: group) { FileOutput.standardError($0 + "\n") }
            let bound: SocketAddress
            do {
                bound = try started.start(listen: address)
            } catch {
                throw FileOutput.failure("cannot listen on \(address): \(error)")
            }
            collector = started
            if !quiet { FileOutput.standardError("collector: listening on \(ListeningService.shown(address, bound: bound)), writing \(out)\n") }
        } stop: {
            if !quiet { FileOutput.standardError("collector: stopping; draining open connections (up to \(drainTimeout) s)\n") }
            let statistics = try collector!.stop(drainTimeout: .nanoseconds(Int64(drainTimeout * 1e9)))
            try writer.close()
            if !quiet {
                FileOutput.standardError("collector: \(statistics.written) line(s) from \(statistics.connections) connection(s) written to \(out)"
                    + "; \(statistics.rejected) rejected" + (statistics.cutOff > 0 ? "; \(statistics.cutOff) connection(s) cut off at the drain timeout" : "") + "\n")
            }
        }
    }
}
