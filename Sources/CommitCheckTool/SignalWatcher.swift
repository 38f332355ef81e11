import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The write end of the pipe the signal handler writes to (a handler can capture nothing).
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// Writes the signal's number to the watcher's pipe: all a handler may safely do.
///
/// A C function pointer (no captures), so that both Glibc's and Darwin's `sigaction` take it.
private func signalHandler(_ number: Int32) {
    var byte = UInt8(truncatingIfNeeded: number)
    _ = write(signalPipeWriteEnd, &byte, 1)
}

/// Runs a closure, on a thread of its own, for each SIGINT or SIGTERM the process receives.
///
/// Not a `DispatchSource`: on Linux, libdispatch installs its handler asynchronously, so a signal
/// that arrives soon after the source is made (or while the machine is busy) is lost; a test that
/// interrupted `verify` after 1.5 s saw exactly that under load. A plain `sigaction` handler is in
/// place when `watch` returns; it only writes the signal number to a pipe (async-signal-safe), and
/// the watching thread does the rest.
///
/// The signals are also unblocked in the calling thread: a process inherits its parent's signal
/// mask, and a parent that starts `commitcheck` from a libdispatch worker thread (a Swift test, for
/// one) passes those signals on blocked, so they would stay pending forever.
enum SignalWatcher {
    static func watch(_ signals: [Int32], _ body: @escaping @Sendable (Int32) -> Void) {
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for number in signals { sigaddset(&unblock, number) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return }
        signalPipeWriteEnd = ends[1]
        for number in signals {
            var action = sigaction()
            // The handler's field is spelled differently on each C library.
            #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = signalHandler
            #elseif canImport(Darwin)
            action.__sigaction_u.__sa_handler = signalHandler
            #endif
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(number, &action, nil)
        }
        let readEnd = ends[0]
        let thread = Thread {
            var byte: UInt8 = 0
            while true {
                let count = read(readEnd, &byte, 1)
                if count == 1 { body(Int32(byte)) } else if count < 0 && errno == EINTR { continue } else { return }
            }
        }
        thread.start()
    }
}
