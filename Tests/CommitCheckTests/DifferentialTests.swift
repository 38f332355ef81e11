import Testing
@testable import CommitCheck

/// The enumerator, `--engine z3` and `--engine auto` must agree on every small history.
@Suite struct DifferentialTests {
    static let batches: [UInt64] = Array(0..<8)
    static let perBatch: UInt64 = 600

    @Test(arguments: batches)
    func enginesAgreeWithTheEnumerator(batch: UInt64) throws {
        var compared = 0, bad = 0
        var seen: [String: Int] = [:]
        for seed in (batch * Self.perBatch)..<((batch + 1) * Self.perBatch) {
            let text = RandomHistory.make(seed: seed)
            let history: History
            do { history = try Fixtures.history(text) } catch { continue }
            var enumerator = BruteForceEnumerator(history: history)
            enumerator.limit = 40_000
            guard let oracle = enumerator.decide() else { continue }
            var outcomes: [Engine: Result<Report, TraceError>] = [:]
            for engine in Engine.allCases {
                // Verdicts only: counterexamples have their own tests.
                var options = VerifyOptions(engine: engine)
                options.minimize = false
                do { outcomes[engine] = .success(try Verifier(options: options).verify(history: history)) }
                catch { outcomes[engine] = .failure(error) }
            }
            compared += 1
            if case .success(let report)? = outcomes[.auto] {
                for key in report.keys { seen["auto-\(key.engine ?? "")", default: 0] += 1 }
            }
            for (key, expected) in oracle {
                for engine in Engine.allCases {
                    switch (expected, outcomes[engine]!) {
                    case (.inconsistent, .failure): seen["inconsistent", default: 0] += 1
                    case (.verdict(let verdict, let linearizable), .success(let report)):
                        let results = report.keys.filter { $0.group == key.group && $0.topic == key.partition.topic && $0.partition == key.partition.partition }
                        let got = results.first { $0.property == .monotonic }?.verdict
                        let gotReads = results.first { $0.property == .linearizable }?.verdict
                        seen[verdict.rawValue, default: 0] += 1
                        if let linearizable { seen["linearizable-\(linearizable.rawValue)", default: 0] += 1 }
                        if got != verdict || gotReads != linearizable {
                            bad += 1
                            Issue.record("seed \(seed) \(key) engine \(engine.rawValue): expected \(verdict.rawValue)/\(linearizable?.rawValue ?? "-"), got \(got?.rawValue ?? "nil")/\(gotReads?.rawValue ?? "-")\n\(text)")
                        }
                    case (.inconsistent, .success):
                        bad += 1
                        Issue.record("seed \(seed) engine \(engine.rawValue): enumerator finds no schedule, engine accepted\n\(text)")
                    case (.verdict(let verdict, _), .failure(let error)):
                        bad += 1
                        Issue.record("seed \(seed) engine \(engine.rawValue): expected \(verdict.rawValue), engine rejected: \(error)\n\(text)")
                    }
                }
                if bad > 5 { return }
            }
        }
        // The generator must actually exercise every outcome.
        #expect(compared > Int(Self.perBatch) / 2)
        // ...and both of auto's paths: the graph fast path and Z3 for open FIFO choices.
        for outcome in ["holds", "possible", "violated", "inconsistent", "auto-graph", "auto-z3", "linearizable-holds", "linearizable-violated"] {
            #expect(seen[outcome, default: 0] > 0, "no \(outcome) in batch \(batch)")
        }
    }
}
