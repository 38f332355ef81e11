import Foundation
import Testing
@testable import CommitCheck
@testable import Simulation

/// The verifier against the simulator's ground truth, which it never sees.
@Suite struct GroundTruthTests {
    static let seedsPerStrategy: UInt64 = 300

    func verify(_ trace: String) throws -> Report {
        var options = VerifyOptions()
        options.minimize = false
        return try Verifier(options: options).verify(history: try TraceReader().read(bytes: Array(trace.utf8)))
    }

    @Test func sameSeedSameBytes() {
        for strategy in CommitStrategy.allCases {
            var config = SimulationConfig(strategy: strategy)
            config.seed = 42
            #expect(ConsumerGroupSimulator.run(config).trace == ConsumerGroupSimulator.run(config).trace)
            config.seed = 43
            let other = ConsumerGroupSimulator.run(config).trace
            config.seed = 42
            #expect(other != ConsumerGroupSimulator.run(config).trace || strategy == .autoCommit)
        }
    }

    @Test(arguments: CommitStrategy.allCases)
    func verdictsRespectTheTruth(_ strategy: CommitStrategy) throws {
        var regressedRuns = 0, racingRuns = 0, flagged = 0
        for seed in 1...Self.seedsPerStrategy {
            // Without timestamps every few seeds: those traces go to Z3 (open connection orders).
            for timestamps in seed % 10 == 0 ? [true, false] : [true] {
                var config = SimulationConfig(strategy: strategy)
                config.seed = seed
                config.timestamps = timestamps
                config.messages = 8
                config.failureRate = seed % 5 == 0 ? 0.1 : 0
                let (trace, truth) = ConsumerGroupSimulator.run(config)
                let report = try verify(trace)
                let verdicts = Dictionary(uniqueKeysWithValues: report.keys.filter { $0.property == .monotonic }
                    .map { ("\($0.topic!)/\($0.partition!)", $0.verdict) })
                // Soundness: a key that really went backwards is never proven safe.
                for key in truth.regressions.keys {
                    #expect(verdicts[key] != .holds, "\(strategy) seed \(seed) ts \(timestamps): \(key) regressed but holds")
                }
                if truth.regressed { regressedRuns += 1 }
                switch strategy {
                case .commitMutex, .brokerLock, .autoCommit:
                    // The fixes, recorded with `conn` and `ts`: proven safe on every key. (Without
                    // timestamps the trace cannot show the lock, so `possible` is the honest answer.)
                    if timestamps {
                        #expect(verdicts.values.allSatisfy { $0 == .holds }, "\(strategy) seed \(seed): \(verdicts)")
                    }
                case .unsynchronized:
                    if truth.racingPairs > 0 {
                        racingRuns += 1
                        let bad = verdicts.values.contains { $0 == .possible || $0 == .violated }
                        #expect(bad, "seed \(seed) ts \(timestamps): racing requests but all hold")
                        if bad { flagged += 1 }
                    }
                }
            }
        }
        if strategy == .unsynchronized {
            #expect(racingRuns > 100 && regressedRuns > 50 && flagged == racingRuns, "\(racingRuns) \(regressedRuns) \(flagged)")
        } else {
            #expect(regressedRuns == 0)
        }
    }
}
