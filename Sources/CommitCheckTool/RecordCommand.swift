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

            Who may write: by default only a loopback address or a Unix socket (created 0600) is accepted. \
            A non-loopback --listen needs --allow-remote, TLS (--tls-cert, --tls-key) and a way to know \
            the writers: client certificates (--tls-client-ca) or a token every client sends as its first \
            line, "auth TOKEN" (--token-file). The trace file is created 0640 and never left world-writable. \
            See specs/security.md.
            """
    )

    @OptionGroup(title: "Listener")
    var listener: ListenerOptions

    @Option(help: ArgumentHelp("The trace file to write.", valueName: "file"))
    var out: String

    @Flag(help: "Append to --out instead of replacing it.")
    var append = false

    @Option(help: "Seconds to keep reading open connections after SIGINT/SIGTERM before closing them.")
    var drainTimeout: Double = 10

    @Flag(help: "Log only problems, not the start and the summary.")
    var quiet = false

    @Option(help: ArgumentHelp("Require every client to send \"auth TOKEN\" first; the file holds TOKEN (mode 600).", valueName: "file"))
    var tokenFile: String?

    func validate() throws {
        if !(drainTimeout >= 0) { throw ValidationError("--drain-timeout must be zero or more seconds") }
        try ListeningService.checkAccess(try listener.address(), option: "--listen", allowRemote: listener.allowRemote,
                                         protection: .init(tls: listener.tls, hasToken: tokenFile != nil), tokenAllowed: true)
    }

    @OptionGroup(title: "Online checking and metrics")
    var online: OnlineVerificationOptions

    func run() throws {
        let address = try listener.address()
        let tls = listener.tls
        let token: CollectorToken?
        do {
            token = try tokenFile.map { try CollectorToken(file: $0) }
        } catch {
            throw ListeningService.stop("\(error)")
        }
        let writer: DurableLineWriter
        do {
            if let note = try OwnerOnlyFiles.prepareTraceFile(at: out) { FileOutput.standardError("collector: \(note)\n") }
            writer = try DurableLineWriter(path: out, append: append)
        } catch {
            throw FileOutput.failure("\(error)")
        }
        var collector: TraceCollector?
        let checker = online.make(tracePath: out, label: "collector")
        try ListeningService.run { group in
            do { try checker?.start(group: group) } catch { throw FileOutput.failure("cannot serve --metrics: \(error)") }
            let started = TraceCollector(writer: writer, group: group) { FileOutput.standardError($0 + "\n") }
            let bound: SocketAddress
            do {
                bound = try started.start(listen: address, tls: tls, token: token)
            } catch let error as TLSSetupError {
                throw ListeningService.stop(error.description)
            } catch {
                throw FileOutput.failure("cannot listen on \(address): \(error)")
            }
            collector = started
            if !quiet {
                let protection = [tls.map { $0.verifiesClients ? "TLS, client certificates" : "TLS" }, token.map { _ in "token" }].compactMap { $0 }
                FileOutput.standardError("collector: listening on \(ListeningService.shown(address, bound: bound))"
                    + (protection.isEmpty ? "" : " (\(protection.joined(separator: ", ")))") + ", writing \(out)\n")
            }
        } stop: {
            if !quiet { FileOutput.standardError("collector: stopping; draining open connections (up to \(drainTimeout) s)\n") }
            let statistics = try collector!.stop(drainTimeout: .nanoseconds(Int64(drainTimeout * 1e9)))
            try writer.close()
            _ = checker?.finish()
            if !quiet {
                FileOutput.standardError("collector: \(statistics.written) line(s) from \(statistics.connections) connection(s) written to \(out)"
                    + "; \(statistics.rejected) rejected" + (statistics.cutOff > 0 ? "; \(statistics.cutOff) connection(s) cut off at the drain timeout" : "") + "\n")
            }
        }
    }
}
