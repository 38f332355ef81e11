import Foundation
import Testing
@testable import CommitCheck
#if canImport(Glibc)
import Glibc
#endif

/// A trace far larger than the memory it may use: streamed, within the limit, stopped with a message.
@Suite struct LargeTraceTests {
    /// The peak resident memory of a running process, from /proc (0 once it has exited).
    static func peakMegabytes(of pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kilobytes / 1024
    }

    @Test func aTwoGigabyteTraceStaysWithinMaxMemoryAndStopsWithAClearMessage() throws {
        signal(SIGPIPE, SIG_IGN)
        let limit = 200
        let process = Process()
        process.executableURL = Fixtures.executable
        process.arguments = ["verify", "--max-memory", "\(limit)", "-"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let errorText = Gathered()
        let reader = Thread {
            errorText.append(errors.fileHandleForReading.readDataToEndOfFile())
        }
        reader.start()

        // The writer offers 2 GB of valid trace (build, send, ack per commit, 16 threads) as fast as
        // the checker reads it; the checker must stop long before the end.
        let total = 2_000_000_000
        let written = Counter()
        let writer = Thread {
            let descriptor = input.fileHandleForWriting.fileDescriptor
            var commit = 0
            while written.value < total {
                var chunk = ""
                chunk.reserveCapacity(1 << 20)
                for _ in 0..<3_000 {
                    let thread = commit % 16, ts = commit * 10
                    chunk += #"{"ev":"build","proc":"app","thread":"T\#(thread)","ts":\#(ts),"commit":"c\#(commit)","group":"g","offsets":{"orders/\#(commit % 1000)":\#(commit)}}"# + "\n"
                    chunk += #"{"ev":"send","proc":"app","thread":"T\#(thread)","ts":\#(ts + 1),"commit":"c\#(commit)"}"# + "\n"
                    chunk += #"{"ev":"ack","proc":"app","thread":"T\#(thread)","ts":\#(ts + 2),"commit":"c\#(commit)","status":"ok"}"# + "\n"
                    commit += 1
                }
                let ok = chunk.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
                    var offset = 0
                    while offset < bytes.count {
                        let count = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                        if count <= 0 { return false }
                        offset += count
                    }
                    return true
                } ?? false
                if !ok { break }
                written.add(chunk.utf8.count)
            }
            try? input.fileHandleForWriting.close()
        }
        writer.start()

        var peak = 0
        let deadline = Date().addingTimeInterval(300)
        while process.isRunning {
            peak = max(peak, Self.peakMegabytes(of: process.processIdentifier))
            if Date() > deadline {
                process.terminate()
                Issue.record("verify did not stop within 300 s")
                break
            }
            usleep(20_000)
        }
        process.waitUntilExit()
        _ = output.fileHandleForReading.readDataToEndOfFile()
        while reader.isExecuting || writer.isExecuting { usleep(10_000) }

        #expect(process.terminationStatus == 3, "a resource limit is exit 3: \(errorText.text)")
        #expect(errorText.text.contains("passes the limit of \(limit) MB"), "\(errorText.text)")
        #expect(errorText.text.contains("stdin") || errorText.text.contains("-:"), "the message names the input and line: \(errorText.text)")
        #expect(peak > 0 && peak <= limit + 80, "peak resident memory \(peak) MB against a limit of \(limit) MB")
        #expect(written.value < total / 4, "the checker stopped reading early (\(written.value) bytes taken)")
    }

    final class Gathered: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func append(_ more: Data) { lock.withLock { data.append(more) } }
        var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func add(_ more: Int) { lock.withLock { count += more } }
        var value: Int { lock.withLock { count } }
    }
}
