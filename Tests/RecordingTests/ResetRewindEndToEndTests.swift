import Foundation
import Testing

/// An operator's rewind (Tests/EndToEnd/reset_rewind.py): a confluent-kafka group commits `rw/0` up
/// to 20, `AdminClient.alter_consumer_group_offsets` (client id `adminclient-1`) rewinds it to 5,
/// the consumer resumes from 5 and commits up to 15. Without `--reset-clients` the rewind is a
/// regression with a hint naming the flag; with it the run holds; a stale commit after the reset
/// (12 after 15) is still found; `proxy --verify --reset-clients` reports the same at exit.
@Suite(.serialized)
struct ResetRewindEndToEndTests {
    /// The client id of the admin's commit, read from the trace (the commit of 5 after 20).
    static func adminClient(_ run: ProxiedScriptRun) throws -> String {
        let sends = try run.lines().filter { $0["ev"] as? String == "send" }
        #expect(sends.compactMap { TransactionRecordingTests.offsets($0)["rw/0"] } == [5, 10, 15, 20, 5, 10, 15] + (run.client.out.contains("final rw/0 12") ? [12] : []), "\(sends)")
        return try #require(sends[4]["client"] as? String)
    }

    @Test func rewindIsViolatedWithAHintThenHoldsWithTheFlag() throws {
        let run = try ProxiedScriptRun("reset_rewind.py", ["rw-group"])
        #expect(run.client.status == 0, "\(run.client.out) \(run.client.err)")
        #expect(run.client.out.contains("resumed 5"), "\(run.client.out)")
        #expect(run.finalOffsets == ["rw/0": 15])
        let admin = try Self.adminClient(run)
        #expect(admin == "adminclient-1")

        let plain = try run.verify()
        #expect(plain.status == 1, "\(plain.out)")
        #expect(ProxiedScriptRun.verdict(plain.out, key: "rw/0", property: "monotonic") == "violated", "\(plain.out)")
        let hint = plain.out.split(separator: "\n").first { $0.contains("--reset-clients") }
        #expect(hint?.contains("(client \(admin))") == true && hint?.contains("'adminclient-*'") == true, "\(plain.out)")

        let flagged = try run.verify(["--reset-clients", "adminclient-*"])
        #expect(flagged.status == 0, "\(flagged.out)")
        #expect(ProxiedScriptRun.verdict(flagged.out, key: "rw/0", property: "monotonic") == "holds", "\(flagged.out)")
        #expect(ProxiedScriptRun.verdict(flagged.out, key: "rw/0", property: "linearizable") == "holds", "\(flagged.out)")
    }

    @Test func aStaleCommitAfterTheResetIsStillARegression() throws {
        let run = try ProxiedScriptRun("reset_rewind.py", ["rw-stale", "--regress"])
        #expect(run.client.status == 0, "\(run.client.out) \(run.client.err)")
        #expect(run.finalOffsets == ["rw/0": 12])
        let admin = try Self.adminClient(run)
        let flagged = try run.verify(["--reset-clients", admin])
        #expect(flagged.status == 1, "\(flagged.out)")
        #expect(ProxiedScriptRun.verdict(flagged.out, key: "rw/0", property: "monotonic") == "violated", "\(flagged.out)")
        #expect(flagged.out.contains("15 -> 12") && !flagged.out.contains("-> 5"), "the regression is the stale commit, not the reset: \(flagged.out)")
    }

    @Test func proxyVerifyWithResetClientsHoldsAtExit() throws {
        let run = try ProxiedScriptRun("reset_rewind.py", ["rw-proxy"], proxyOptions: ["--verify", "--reset-clients", "adminclient-*"])
        #expect(run.client.status == 0, "\(run.client.out) \(run.client.err)")
        #expect(run.proxyStatus == 0, "\(run.proxyOut) \(run.proxyErr)")
        let report = run.proxyOut + run.proxyErr
        #expect(ProxiedScriptRun.verdict(report, key: "rw/0", property: "monotonic") == "holds", "\(report)")
        #expect(report.contains("Verdict: holds"), "\(report)")
    }
}
