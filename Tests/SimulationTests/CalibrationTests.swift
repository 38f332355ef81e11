import Testing
@testable import Simulation

/// The simulator's defaults against real Sarama v1.43.2 (issue 20; docs/simulation.md,
/// "Calibration"): measured from the simulated broker's register history, never from `verify`, so
/// that a checker change cannot move the reference.
@Suite struct CalibrationTests {
    /// One row of the real reference: 8 runs of real Sarama v1.43.2 through `commitcheck proxy`
    /// against Tansu, one consumer, 25 messages per partition, a commit per message,
    /// `Consumer.MaxWaitTime = 10ms`.
    struct RealRow: Sendable, CustomStringConvertible {
        var partitions: Int
        var regressedRuns: Int
        var runs = 8
        var share: Double { Double(regressedRuns) / Double(runs) }
        var description: String { "\(partitions) partitions" }
    }

    static let reference = [
        RealRow(partitions: 1, regressedRuns: 0), RealRow(partitions: 2, regressedRuns: 8),
        RealRow(partitions: 4, regressedRuns: 8), RealRow(partitions: 8, regressedRuns: 8),
    ]
    /// The largest drop of a real run that regressed was 2 to 4 offsets.
    static let realLargestDrops = 2...4
    static let seeds: UInt64 = 40
    /// Points a simulated share may differ from the real one.
    static let tolerance = 0.15

    /// The runs of the simulator column: `--strategies unsynchronized --messages 25
    /// --commit-every 1`, defaults otherwise, seeds 1 to 40.
    static func truths(partitions: Int) -> [GroundTruth] {
        (1...seeds).map { seed in
            var config = SimulationConfig(strategy: .unsynchronized)
            config.partitions = partitions
            config.messages = 25
            config.commitEvery = 1
            config.seed = seed
            return ConsumerGroupSimulator.run(config).truth
        }
    }

    @Test(arguments: reference)
    func regressionShareMatchesRealSarama(_ row: RealRow) {
        let truths = Self.truths(partitions: row.partitions)
        let share = Double(truths.filter(\.regressed).count) / Double(truths.count)
        #expect(abs(share - row.share) <= Self.tolerance,
                "\(row): simulated \(Int(share * 100))% of runs regressed, real \(row.regressedRuns)/\(row.runs)")
        guard row.regressedRuns > 0 else { return }
        // Drops in the real range: most regressed runs' largest drop lies in 2...4, and none beyond
        // twice the real maximum.
        let largest = truths.compactMap { $0.regressions.values.max() }
        let inRange = Double(largest.filter { Self.realLargestDrops.contains($0) }.count) / Double(max(largest.count, 1))
        #expect(inRange >= 1 - Self.tolerance, "\(row): largest drops \(largest.sorted())")
        #expect(largest.allSatisfy { $0 <= 2 * Self.realLargestDrops.upperBound }, "\(row): largest drops \(largest.sorted())")
    }

    /// v1.43.3 and the other fixes never regress on the calibrated model either.
    @Test(arguments: [CommitStrategy.commitMutex, .brokerLock, .autoCommit])
    func fixesNeverRegress(_ strategy: CommitStrategy) {
        for partitions in [2, 8] {
            for seed in 1...Self.seeds {
                var config = SimulationConfig(strategy: strategy)
                config.partitions = partitions
                config.seed = seed
                let truth = ConsumerGroupSimulator.run(config).truth
                #expect(!truth.regressed, "\(strategy) \(partitions)p seed \(seed): \(truth.regressions)")
                #expect(truth.requests > 0)
            }
        }
    }

    /// v1.43.2 holds the connection for the round trip: never two requests in flight on it.
    @Test func v1432HasOneRequestInFlight() {
        for seed in 1...Self.seeds {
            var config = SimulationConfig(strategy: .unsynchronized)
            config.seed = seed
            #expect(ConsumerGroupSimulator.run(config).truth.overlappingPairs == 0)
        }
        // v1.43.3 pipelines: some seed overlaps requests.
        let overlaps = (1...Self.seeds).map { seed -> Int in
            var config = SimulationConfig(strategy: .brokerLock)
            config.seed = seed
            return ConsumerGroupSimulator.run(config).truth.overlappingPairs
        }
        #expect(overlaps.contains { $0 > 0 })
    }
}
