/// How a child process ended and what it wrote.
///
/// Tests compare `status` with the documented exit codes and search `out` and `err` for the
/// messages they promise, so the two streams are kept apart.
public struct ProcessResult: Sendable, CustomStringConvertible {
    /// The exit status, or the number of the signal that ended the process (see `signal`).
    public var status: Int32
    /// The signal that ended the process, or nil when it exited by itself.
    public var signal: Int32?
    /// Everything the process wrote to its standard output.
    public var out: String
    /// Everything the process wrote to its standard error.
    public var err: String
    /// Wall time from the start to the end of the process, in seconds.
    public var seconds: Double

    /// The exit status under the name most tests use.
    public var code: Int32 { status }

    public var description: String {
        let ending = signal.map { "killed by signal \($0)" } ?? "exit \(status)"
        return "\(ending) after \(String(format: "%.2f", seconds)) s\nstdout:\n\(out)\nstderr:\n\(err)"
    }
}
