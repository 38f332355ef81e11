import ArgumentParser
import Foundation

/// Writing to the standard streams and to report files.
enum FileOutput {
    static func standardOutput(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func standardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Writes a whole file, replacing it; a failure is reported with the path and the system's
    /// reason ("Is a directory"), and exits 2.
    ///
    /// I/O failures are not usage errors: throwing `ValidationError` would print the usage text,
    /// and Foundation's errors read `(NSCocoaErrorDomain error 512.)`.
    static func write(_ text: String, to path: String) throws {
        guard let file = fopen(path, "w") else { throw failure("cannot write \(path): \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        let written = bytes.isEmpty ? 0 : fwrite(bytes, 1, bytes.count, file)
        let writeError = written == bytes.count ? 0 : errno
        let closeFailed = fclose(file) != 0
        if writeError != 0 || closeFailed {
            throw failure("cannot write \(path): \(String(cString: strerror(writeError != 0 ? writeError : errno)))")
        }
    }

    /// Prints `error: message` and returns the exit code for bad usage or bad input (2), for a
    /// failure that is not a command-line mistake (an unwritable file, a port in use).
    static func failure(_ message: String) -> ExitCode {
        standardError("error: \(message)\n")
        return ExitCode(2)
    }
}
