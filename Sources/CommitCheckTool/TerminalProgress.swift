import Dispatch
import Foundation

/// A one-line sign of life on standard error for long runs, shown only when standard error is a
/// terminal: redirected output (CI logs, files, pipes) gets no carriage returns or `ESC[K` codes.
final class TerminalProgress: @unchecked Sendable {
    /// Whether standard error is a terminal.
    static var isTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    private let lock = NSLock()
    private let started = DispatchTime.now().uptimeNanoseconds
    private var lastShown: UInt64 = 0
    private var shown = false
    private var finished = false
    private var phase: String? = nil

    /// A progress line for this run, or `nil` when standard error is not a terminal.
    static func forStandardError() -> TerminalProgress? { isTerminal ? TerminalProgress() : nil }

    /// Reading: bytes read so far of the files' total (at most ten updates a second, none in the
    /// first half second so that quick runs do not flicker).
    func reading(_ bytes: Int, of total: Int) {
        let text = total > 0
            ? String(format: "reading: %.1f of %.1f MB (%.0f%%)", Double(bytes) / 1e6, Double(total) / 1e6, 100 * Double(min(bytes, total)) / Double(total))
            : String(format: "reading: %.1f MB", Double(bytes) / 1e6)
        show(text, force: false)
    }

    private var keysDue = 0
    private var keysDone = 0

    /// One more key decided (from any worker).
    func keyDecided() {
        lock.withLock {
            keysDone += 1
            phase = "deciding \(keysDue) key(s), \(keysDone) decided"
        }
    }

    /// Deciding: keys to decide, with the seconds spent, refreshed every second until ``finish()``.
    func deciding(keys: Int) {
        let decideStart = DispatchTime.now().uptimeNanoseconds
        lock.withLock {
            keysDue = keys
            phase = "deciding \(keys) key(s), 0 decided"
        }
        Thread.detachNewThread { [self] in
            while true {
                usleep(250_000)
                let (done, phase) = lock.withLock { (finished, self.phase) }
                if done { return }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - decideStart) / 1e9
                if let phase { show(String(format: "%@: %.0f s", phase, seconds), force: false) }
            }
        }
    }

    /// A progress bar counting `unit`s done of a total, or `nil` when standard error is not a terminal.
    static func counting(_ unit: String) -> TerminalProgress? {
        guard let progress = forStandardError() else { return nil }
        progress.unit = unit
        return progress
    }

    private var unit = ""

    /// Draws `done` of `total` as a bar (the last update always shows).
    func update(_ done: Int, _ total: Int) {
        let width = 30, filled = total == 0 ? width : width * min(done, total) / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        show("[\(bar)] \(done)/\(total) \(unit)", force: done == total && shownOnce)
    }

    private var shownOnce: Bool { lock.withLock { shown } }

    /// Clears the line (before the report is printed).
    func finish() {
        lock.withLock {
            finished = true
            if shown { FileOutput.standardError("\r\u{1B}[K") }
            shown = false
        }
    }

    private func show(_ text: String, force: Bool) {
        let now = DispatchTime.now().uptimeNanoseconds
        lock.withLock {
            guard !finished, force || (now - started > 500_000_000 && now - lastShown > 100_000_000) else { return }
            lastShown = now
            shown = true
            FileOutput.standardError("\r\u{1B}[K" + text)
        }
    }
}
