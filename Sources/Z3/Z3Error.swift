import CZ3

/// An error reported by Z3 through its error handler, turned into a Swift error.
///
/// Z3's default handler calls `exit(1)`; ``Z3Context`` installs one that records the error instead,
/// and every call that can fail checks for it and throws this.
public struct Z3Error: Error, CustomStringConvertible, Sendable {
    /// Z3's error code (`Z3_error_code`).
    public var code: UInt32
    /// Z3's own message for the code.
    public var message: String

    public var description: String { "Z3 error \(code): \(message)" }
}
