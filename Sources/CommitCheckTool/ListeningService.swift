import ArgumentParser
import CommitCheck
import Dispatch
import NIOCore
import NIOPosix
import Recording
#if canImport(Glibc)
import Glibc
#endif

/// The life of `record` and `proxy`: an event loop group, the stop signals, serving, stopping.
///
/// SIGINT and SIGTERM are watched before `start`, so a signal sent right after the "listening"
/// line (as scripts and tests do) is never lost.
enum ListeningService {
    static func run(start: (EventLoopGroup) throws -> Void, stop: () throws -> Void) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        defer { try? group.syncShutdownGracefully() }
        let stopping = DispatchSemaphore(value: 0)
        SignalWatcher.watch([SIGINT, SIGTERM]) { _ in stopping.signal() }
        try start(group)
        stopping.wait()
        try stop()
    }

    /// The access rule of ``ListenerAccess`` as a command-line error (exit 2 with the reason).
    static func checkAccess(_ address: ListenAddress, option: String, allowRemote: Bool,
                            protection: ListenerAccess.Protection, tokenAllowed: Bool) throws {
        do {
            try ListenerAccess.check(address, option: option, allowRemote: allowRemote, protection: protection, tokenAllowed: tokenAllowed)
        } catch let error as ListenerAccessError {
            throw ValidationError(error.description)
        }
    }

    /// Stops the command with exit 2 (bad input) and `message` on stderr, for an input that is
    /// not a command-line mistake: a certificate file that does not load, an unsafe token file.
    static func stop(_ message: String) -> ArgumentParser.ExitCode {
        FileOutput.standardError("Error: \(message)\n")
        return ArgumentParser.ExitCode(ExitStatus.badInput.rawValue)
    }

    /// How a listener is named in the "listening on" line: the port actually bound for TCP.
    static func shown(_ listen: ListenAddress, bound: SocketAddress) -> String {
        if case .unix = listen { return listen.description }
        return "\(bound.ipAddress ?? "?"):\(bound.port ?? 0)"
    }
}
