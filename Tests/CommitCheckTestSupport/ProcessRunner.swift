import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process that no test can wait on forever: the one way tests start programs.
///
/// Tests start the built `commitcheck`, Python, `script` and other programs. Every wait has a
/// deadline: past it the child is sent SIGTERM, then SIGKILL, and the wait throws `TimedOut` with
/// what the child wrote so far, so a hang fails one test with its output instead of stalling the
/// suite. Both output pipes are drained by threads of their own from the start, so a child that
/// writes a lot to either one never blocks on a full pipe. A long-running child (a collector, a
/// proxy, a broker) can be watched while it runs (`out`, `err`, `waitForError`), sent signals, and
/// stopped.
public final class ProcessRunner: @unchecked Sendable {
    /// A process that did not end within its deadline, killed; with what it wrote until then.
    public struct TimedOut: Error, CustomStringConvertible {
        public var command: String
        public var timeout: Double
        public var partial: ProcessResult
        public var description: String { "\(command) ran past \(timeout) s and was killed; \(partial)" }
    }

    /// A condition a running process did not reach: it exited first, or the deadline passed.
    public struct NotReady: Error, CustomStringConvertible {
        public var description: String
    }

    /// What the child reads on its standard input.
    public enum Input: Sendable {
        /// Nothing: /dev/null, so a child that reads stdin sees its end at once and never waits.
        case none
        /// These bytes, then the end.
        case data(Data)
        /// A pipe the test writes to through `input` (and closes to end it).
        case pipe
    }

    /// The program and its arguments, for messages.
    public let command: String
    /// The child's process id.
    public var pid: Int32 { process.processIdentifier }
    /// The writing end of the child's standard input, with `Input.pipe`; nil otherwise.
    public let input: FileHandle?

    private let process = Process()
    private let outCollector: PipeCollector
    private let errCollector: PipeCollector
    private let exited = DispatchSemaphore(value: 0)
    private let started = Date()
    private let lock = NSLock()
    private var result: ProcessResult?

    /// Starts `executable` with `arguments` in `directory` (the package root by default).
    ///
    /// - Parameter environment: the child's whole environment; nil inherits the test's.
    public init(_ executable: URL, _ arguments: [String], directory: URL = PackagePaths.root,
                environment: [String: String]? = nil, input: Input = .none) throws {
        command = ([executable.lastPathComponent] + arguments).joined(separator: " ")
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        if let environment { process.environment = environment }
        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        var inputPipe: Pipe?
        switch input {
        case .none: process.standardInput = FileHandle.nullDevice
        case .data, .pipe:
            let pipe = Pipe()
            process.standardInput = pipe
            inputPipe = pipe
        }
        let exited = self.exited
        process.terminationHandler = { _ in exited.signal() }
        let child = process
        try Self.withTerminationUnblocked { try child.run() }
        outCollector = PipeCollector(outPipe.fileHandleForReading)
        errCollector = PipeCollector(errPipe.fileHandleForReading)
        switch input {
        case .none:
            self.input = nil
        case .data(let bytes):
            self.input = nil
            // A writer of its own: a child that writes before it reads all its input must not
            // deadlock against this thread.
            let handle = inputPipe!.fileHandleForWriting
            Thread.detachNewThread {
                ProcessRunner.ignoreBrokenPipes()
                try? handle.write(contentsOf: bytes)
                try? handle.close()
            }
        case .pipe:
            ProcessRunner.ignoreBrokenPipes()
            self.input = inputPipe!.fileHandleForWriting
        }
    }

    /// Starts the program at `path` (for programs outside the package: `/usr/bin/env`, Python).
    public convenience init(_ path: String, _ arguments: [String], directory: URL = PackagePaths.root,
                            environment: [String: String]? = nil, input: Input = .none) throws {
        try self.init(URL(fileURLWithPath: path), arguments, directory: directory, environment: environment, input: input)
    }

    /// Whether the child is still running.
    public var isRunning: Bool { process.isRunning }

    /// What the child wrote to its standard output so far.
    public var out: String { outCollector.text }
    /// What the child wrote to its standard error so far.
    public var err: String { errCollector.text }

    /// Sends `signal` to the child (SIGINT, SIGTERM, SIGKILL, SIGSTOP, ...).
    public func signal(_ number: Int32) {
        kill(pid, number)
    }

    /// Waits until the child has a handler installed for `signal`, at most `timeout` seconds.
    ///
    /// A signal sent while the child is still starting is lost or kills it, and on a loaded
    /// machine start-up takes seconds. Linux shows the handled signals in /proc (`SigCgt`); where
    /// there is no /proc this returns true at once.
    @discardableResult
    public func waitUntilCatching(_ signal: Int32, timeout: TimeInterval = 30) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while isRunning && Date() < deadline {
            if Self.catches(signal, pid: pid) { return true }
            usleep(20_000)
        }
        return false
    }

    /// Whether process `pid` has a handler installed for `signal` (Linux's /proc; true elsewhere).
    public static func catches(_ signal: Int32, pid: Int32) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return true }
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigCgt:") }),
              let mask = UInt64(line.dropFirst("SigCgt:".count).trimmingCharacters(in: .whitespaces), radix: 16) else { return true }
        return mask & (1 << (UInt64(signal) - 1)) != 0
    }

    /// Waits until `condition` holds on the standard error written so far; throws `NotReady`
    /// when the child exits first or `timeout` passes (the child keeps running: `stop()` it).
    public func waitForError(timeout: TimeInterval, _ condition: (String) -> Bool) throws {
        try waitFor("stderr", timeout: timeout) { condition(self.err) }
    }

    /// Waits until `condition` holds on the standard output written so far (see `waitForError`).
    public func waitForOutput(timeout: TimeInterval, _ condition: (String) -> Bool) throws {
        try waitFor("stdout", timeout: timeout) { condition(self.out) }
    }

    private func waitFor(_ stream: String, timeout: TimeInterval, _ holds: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !holds() {
            if !isRunning, !holds() {
                throw NotReady(description: "\(command) exited before its \(stream) showed it was ready; stdout: \(out) stderr: \(err)")
            }
            if Date() > deadline {
                throw NotReady(description: "\(command) did not get ready within \(timeout) s; stdout: \(out) stderr: \(err)")
            }
            usleep(20_000)
        }
    }

    /// Waits for the child to end; past `timeout` seconds kills it and throws `TimedOut`.
    @discardableResult
    public func wait(timeout: TimeInterval) throws -> ProcessResult {
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            let partial = killChild()
            throw TimedOut(command: command, timeout: timeout, partial: partial)
        }
        return finish()
    }

    /// Kills the child if it still runs (SIGTERM, then SIGKILL after two seconds); for `defer`.
    @discardableResult
    public func stop() -> ProcessResult {
        isRunning ? killChild() : finish()
    }

    private func killChild() -> ProcessResult {
        signal(SIGTERM)
        if exited.wait(timeout: .now() + 2) == .timedOut {
            signal(SIGKILL)
            _ = exited.wait(timeout: .now() + 10)
        }
        return finish()
    }

    /// The result, once the child has ended: its status and all it wrote.
    private func finish() -> ProcessResult {
        lock.lock()
        defer { lock.unlock() }
        if let result { return result }
        // The semaphore was taken once by the waiter; give it back for later waits and stops.
        exited.signal()
        let seconds = Date().timeIntervalSince(started)
        // A grandchild that inherited the pipes can keep them open after the child ended: read
        // what is there, but do not wait on it for long.
        outCollector.waitForEnd(timeout: 5)
        errCollector.waitForEnd(timeout: 5)
        process.waitUntilExit()
        let signalled = process.terminationReason == .uncaughtSignal
        let ended = ProcessResult(status: process.terminationStatus, signal: signalled ? process.terminationStatus : nil,
                                  out: outCollector.text, err: errCollector.text, seconds: seconds)
        result = ended
        return ended
    }

    /// A program run to its end within `timeout` seconds (see `init` for the parameters).
    public static func run(_ executable: URL, _ arguments: [String], directory: URL = PackagePaths.root,
                           environment: [String: String]? = nil, input: Input = .none,
                           timeout: TimeInterval = 300) throws -> ProcessResult {
        try ProcessRunner(executable, arguments, directory: directory, environment: environment, input: input).wait(timeout: timeout)
    }

    /// A program given by path, run to its end within `timeout` seconds.
    public static func run(_ path: String, _ arguments: [String], directory: URL = PackagePaths.root,
                           environment: [String: String]? = nil, input: Input = .none,
                           timeout: TimeInterval = 300) throws -> ProcessResult {
        try run(URL(fileURLWithPath: path), arguments, directory: directory, environment: environment, input: input, timeout: timeout)
    }

    /// The built `commitcheck` run to its end within `timeout` seconds, from the package root.
    public static func commitcheck(_ arguments: [String], directory: URL = PackagePaths.root,
                                   input: Input = .none, timeout: TimeInterval = 300) throws -> ProcessResult {
        try run(PackagePaths.commitcheck, arguments, directory: directory, input: input, timeout: timeout)
    }

    /// Runs `body` with SIGTERM unblocked in this thread, so that a child started in it does not
    /// inherit a blocked SIGTERM and `stop()` or a deadline ends it at once.
    ///
    /// Tests run on libdispatch worker threads, which block SIGTERM and SIGINT, and a child
    /// inherits the mask of the thread that starts it. SIGINT stays as it is: `commitcheck`
    /// unblocks it itself, and a child started with it unblocked loses a SIGINT that arrives
    /// while Z3 is checking (found with this runner; reproducible from a shell).
    private static func withTerminationUnblocked<T>(_ body: () throws -> T) rethrows -> T {
        var termination = sigset_t()
        sigemptyset(&termination)
        sigaddset(&termination, SIGTERM)
        var previous = sigset_t()
        pthread_sigmask(SIG_UNBLOCK, &termination, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return try body()
    }

    /// Writing to a pipe whose reader has exited must fail with EPIPE, not kill the test runner.
    private static func ignoreBrokenPipes() {
        #if canImport(Glibc)
        _ = Glibc.signal(SIGPIPE, SIG_IGN)
        #elseif canImport(Darwin)
        _ = Darwin.signal(SIGPIPE, SIG_IGN)
        #endif
    }
}
