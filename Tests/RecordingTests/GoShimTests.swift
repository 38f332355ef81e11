import CommitCheck
import CommitCheckTestSupport
import Foundation
import KafkaWire
import Testing

/// The Go shim (shims/go) against the Swift side: its error-code classification is the proxy's,
/// and a trace it writes verifies to the verdicts the recorded race implies. `.ci/run` installs
/// Debian's golang-go; elsewhere these tests are skipped with a message naming `go`.
@Suite struct GoShimTests {
    static let go: String? = ["/usr/bin/go", "/usr/local/go/bin/go", "/usr/lib/go/bin/go"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs the shim's TestWriteFixtures, which writes outcomes.txt and race.jsonl into a folder.
    static func fixtures() throws -> URL {
        let go = try #require(Self.go, "go is missing: install Debian's golang-go (.ci/run does)")
        let folder = URL(fileURLWithPath: try Package.temporaryFile("go")).deletingLastPathComponent()
        var environment = ProcessInfo.processInfo.environment
        environment["COMMITCHECK_GO_FIXTURES"] = folder.path
        if environment["HOME"] == nil { environment["HOME"] = NSTemporaryDirectory() }
        let result = try ProcessRunner.run(go, ["test", "-count=1", "-run", "TestWriteFixtures", "."],
                                           directory: Package.root.appendingPathComponent("shims/go"), environment: environment, timeout: 600)
        #expect(result.status == 0, "go test: \(result.out)\(result.err)")
        return folder
    }

    @Test(.enabled(if: go != nil, "go is missing: install Debian's golang-go to run the Go shim's tests"))
    func goShimClassifiesErrorCodesAsTheProxyDoes() throws {
        let folder = try Self.fixtures()
        let rows = try String(contentsOf: folder.appendingPathComponent("outcomes.txt"), encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 132)
        for row in rows {
            let parts = row.split(separator: " ").compactMap { Int($0) }
            let code = Int16(parts[0])
            let expected: Int
            switch KafkaErrorCode(code).offsetCommitOutcome {
            case .applied: expected = 0
            case .rejected: expected = 1
            case .ambiguous: expected = 2
            }
            #expect(parts[1] == expected, "error code \(code): Go says \(parts[1]), the proxy \(expected)")
        }
    }

    @Test(.enabled(if: go != nil, "go is missing: install Debian's golang-go to run the Go shim's tests"))
    func goShimTraceOfTheRaceVerifies() throws {
        let folder = try Self.fixtures()
        let report = try Verifier().verify(paths: [folder.appendingPathComponent("race.jsonl").path])
        let verdicts = Dictionary(uniqueKeysWithValues: report.keys.map { ("\($0.topic ?? "")/\($0.partition ?? -1) \($0.property.rawValue)", $0.verdict) })
        // G1's stale {orders/0: 11} is sent after G2's {orders/0: 12} was acked: 12 -> 11.
        #expect(verdicts["orders/0 monotonic"] == .violated, "\(verdicts)")
        // The abandoned build {orders/1: 5} never applies: without Abandon it would be `possible`.
        #expect(verdicts["orders/1 monotonic"] == .holds, "\(verdicts)")
    }
}
