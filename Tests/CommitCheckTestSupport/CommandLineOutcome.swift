import ArgumentParser

/// How a command line ends when it is only parsed and validated, found without starting a process.
///
/// Tests of option parsing and validation need no child process: parsing the command type
/// in-process is faster and fails with the exact error. `exitCode` is the status `commitcheck`'s
/// `main()` exits with for that error: it maps argument-parser's usage (64) and failure (1)
/// codes to 2, bad usage, and passes the others on (0 for `--help`).
public struct CommandLineOutcome: Sendable, CustomStringConvertible {
    /// The exit status for the refusal, or nil when the line parsed and validated (the run decides).
    public var exitCode: Int32?
    /// What `main()` prints for the refusal (with the usage text), or "" when there is none.
    public var message: String

    /// Parses `arguments` the way `Command`'s `main()` does, validation included.
    public init<Command: ParsableCommand>(_ command: Command.Type, _ arguments: [String]) {
        do {
            _ = try Command.parseAsRoot(arguments)
            exitCode = nil
            message = ""
        } catch {
            let code = Command.exitCode(for: error)
            exitCode = code == .validationFailure || code == .failure ? 2 : code.rawValue
            message = Command.fullMessage(for: error)
        }
    }

    public var description: String {
        exitCode.map { "exit \($0): \(message)" } ?? "accepted"
    }
}
