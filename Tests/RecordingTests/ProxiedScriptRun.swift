import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// One Tests/EndToEnd script run through `commitcheck proxy` against a fresh Tansu, every child
/// bounded in time: what the script printed, the trace, and the proxy's standard streams.
struct ProxiedScriptRun {
    let client: (status: Int32, out: String, err: String)
    let trace: String
    let proxyOut: String
    let proxyErr: String
    let proxyStatus: Int32

    /// Runs `Tests/EndToEnd/SCRIPT BOOTSTRAP arguments...` through a proxy started with `proxyOptions` extra.
    init(_ script: String, _ arguments: [String], proxyOptions: [String] = []) throws {
        let python = try Package.python()
        let proxyPort = try Package.freePort()
        let broker = try TansuBroker(python: python, advertised: "127.0.0.1:\(proxyPort)")
        trace = try Package.temporaryFile("run.jsonl")
        let proxy = try ChildProcess(Package.commitcheck, ["proxy", "--listen", "127.0.0.1:\(proxyPort)", "--upstream", broker.bootstrap, "--out", trace] + proxyOptions)
        defer { proxy.stop() }
        try proxy.waitForError(timeout: 30) { $0.contains("listening on") }
        let path = Package.root.appendingPathComponent("Tests/EndToEnd/\(script)").path
        client = try ChildProcess.run(python, [path, "127.0.0.1:\(proxyPort)"] + arguments, timeout: 150)
        proxy.signal(SIGTERM)
        proxyStatus = try proxy.wait(timeout: 60)
        proxyOut = proxy.out
        proxyErr = proxy.err
        withExtendedLifetime(broker) {}
    }

    /// The trace's lines after the meta line.
    func lines() throws -> [[String: Any]] { try TransactionRecordingTests.lines(trace) }

    /// `commitcheck verify` of the trace with `options`, bounded in time.
    func verify(_ options: [String] = []) throws -> (status: Int32, out: String, err: String) {
        try ChildProcess.run(Package.commitcheck, ["verify"] + options + [trace], timeout: 120)
    }

    /// The `final TOPIC/P N` lines the script printed: the broker's committed offsets at the end.
    var finalOffsets: [String: Int] {
        var offsets: [String: Int] = [:]
        for line in client.out.split(separator: "\n") where line.hasPrefix("final ") {
            let words = line.split(separator: " ")
            if words.count == 3, let value = Int(words[2]) { offsets[String(words[1])] = value }
        }
        return offsets
    }

    /// The verdict word of PROPERTY on KEY in verify's text output (`holds`, `possible`, ...).
    static func verdict(_ output: String, key: String, property: String) -> String? {
        for line in output.split(separator: "\n") where line.contains(" \(key) ") && line.contains("\(property): ") {
            let tail = line.components(separatedBy: "\(property): ")[1]
            return tail.split(separator: " ").first.map(String.init)
        }
        return nil
    }
}
