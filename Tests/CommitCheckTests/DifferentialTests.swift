import Foundation
import Testing
@testable import CommitCheck

/// The enumerator, `--engine z3` and `--engine auto` must agree on every small history.
@Suite struct DifferentialTests {
    static let batches: [UInt64] = Array(0..<8)
    static let perBatch: UInt64 = 600

    @Test(arguments: batches)
    func enginesAgreeWithTheEnumerator(batch: UInt64) throws {
        let seen = try Self.compare(seeds: (batch * Self.perBatch)..<((batch + 1) * Self.perBatch), make: RandomHistory.make(seed:))
        // ...and both of auto's paths: the graph fast path and Z3 for open FIFO choices.
        for outcome in ["holds", "possible", "violated", "inconsistent", "auto-monotonic-graph", "auto-monotonic-z3",
                        "linearizable-holds", "linearizable-violated", "auto-linearizable-graph", "auto-linearizable-z3",
                        "linked-linearizable-holds", "linked-linearizable-violated", "sized"] {
            #expect(seen[outcome, default: 0] > 0, "no \(outcome) in batch \(batch)")
        }
    }

    /// Transactions and resets (rules 8 and 9): the same agreement on histories with staged
    /// commits, transaction ends of every kind, `completed` bounds and resets.
    @Test(arguments: Array(UInt64(0)..<UInt64(6)))
    func transactionsAndResetsAgreeWithTheEnumerator(batch: UInt64) throws {
        // 6 × 500 histories: their enumeration (outcome variables on every key) costs more than the plain ones'.
        let perBatch: UInt64 = 500
        let first = 1_000_000 + batch * perBatch
        let seen = try Self.compare(seeds: first..<(first + perBatch), make: RandomTransactionHistory.make(seed:))
        for outcome in ["holds", "possible", "violated", "linearizable-holds", "linearizable-violated", "sized",
                        "transactional-holds", "transactional-possible", "transactional-violated", "reset-holds", "reset-possible"] {
            #expect(seen[outcome, default: 0] > 0, "no \(outcome) in transaction batch \(batch)")
        }
    }

    /// Compares the enumerator with both engines on the histories of `seeds`; returns what was seen.
    static func compare(seeds: Range<UInt64>, make: (UInt64) -> String) throws -> [String: Int] {
        var compared = 0, bad = 0
        var seen: [String: Int] = [:]
        for seed in seeds {
            let text = make(seed)
            let history: History
            do { history = try Fixtures.history(text) } catch { continue }
            var enumerator = BruteForceEnumerator(history: history)
            enumerator.limit = 40_000
            guard let (oracle, sizes) = enumerator.decideWithSizes() else { continue }
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
                for key in report.keys { seen["auto-\(key.property.rawValue)-\(key.engine ?? "")", default: 0] += 1 }
                // Reads linked across keys: a fetch of several partitions, or a commit carrying several.
                if history.fetches.contains(where: { $0.results.count > 1 }) || (!history.fetches.isEmpty && history.commits.contains { $0.offsets.count > 1 }) {
                    for key in report.keys where key.property == .linearizable { seen["linked-linearizable-\(key.verdict.rawValue)", default: 0] += 1 }
                }
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
                        let keyCommits = history.commits.filter { $0.group == key.group && $0.offset(for: key.partition) != nil }
                        if keyCommits.contains(where: { $0.transaction != nil }) { seen["transactional-\(verdict.rawValue)", default: 0] += 1 }
                        if keyCommits.contains(where: { $0.reset }) { seen["reset-\(verdict.rawValue)", default: 0] += 1 }
                        // The regression's size: the most some schedule loses, and for violated the least every one loses.
                        if got == verdict, verdict == .violated || verdict == .possible, let size = sizes[key],
                           let example = results.first(where: { $0.property == .monotonic })?.counterexample {
                            seen["sized", default: 0] += 1
                            let least: Int? = verdict == .violated ? size.least : nil
                            if example.largestDrop != size.largest || example.guaranteedDrop != least {
                                bad += 1
                                Issue.record("seed \(seed) \(key) engine \(engine.rawValue): regression size expected \(size.largest)/\(least.map(String.init) ?? "-"), got \(example.largestDrop.map(String.init) ?? "nil")/\(example.guaranteedDrop.map(String.init) ?? "-")\n\(text)")
                            }
                        }
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
                if bad > 5 { return seen }
            }
        }
        // The generator must actually exercise every outcome.
        #expect(compared > seeds.count / 2, "only \(compared) of \(seeds.count) histories compared")
        return seen
    }
}

/// The chain sweep that finds forced decreases on long keys agrees with checking every pair.
@Suite struct ForcedDecreaseSweepTests {
    @Test func chainSweepAgreesWithPairs() throws {
        var compared = 0, found = 0
        for seed in UInt64(50_000)..<UInt64(53_000) {
            guard let history = try? Fixtures.history(RandomHistory.make(seed: seed)),
                  let graph = try? OrderGraph(history: history) else { continue }
            let order = HappensBefore(graph: graph)
            for key in history.keys {
                let problem = OrderProblem(key: key, history: history, graph: graph, projecting: false)
                let certain = problem.commits.indices.filter { problem.commits[$0].status == .applied }
                    .sorted { problem.positions[$0] < problem.positions[$1] }
                let pairs = GraphDecider.forcedDecrease(problem, order: order, graph: graph)
                let sweep = GraphDecider.forcedDecreaseByChains(problem, certain: certain, order: order)
                #expect((pairs == nil) == (sweep == nil), "seed \(seed) \(key)")
                if let (x, y) = sweep {
                    #expect(problem.commits[x].offset > problem.commits[y].offset)
                    #expect(order.precedes(problem.points[x], problem.points[y]))
                    found += 1
                }
                compared += 1
            }
        }
        #expect(compared > 1_000 && found > 20)
    }

    /// With clocks on only some chains (a proxy's thousands of FIFO connections exceed the budget),
    /// "must a come before b" still equals a search of the graph for every pair of points, and the
    /// chain sweep still agrees with checking every pair.
    @Test func clocksOnSomeChainsAgreeWithSearch() throws {
        var pairs = 0, limited = 0
        for seed in UInt64(53_000)..<UInt64(53_400) {
            guard let history = try? Fixtures.history(RandomHistory.make(seed: seed)),
                  let graph = try? OrderGraph(history: history) else { continue }
            let full = HappensBefore(graph: graph)
            guard full.chainCount > 1 else { continue }
            limited += 1
            for limit in [1, full.chainCount - 1] {
                let order = HappensBefore(graph: graph, chainLimit: limit)
                #expect(order.chainCount == limit)
                var search = ReachabilitySearch(pointCount: graph.pointCount)
                for a in 0..<Int32(graph.pointCount) {
                    for b in 0..<Int32(graph.pointCount) {
                        let expected = search.reaches(a, b, in: graph)
                        #expect(order.precedes(a, b) == expected, "seed \(seed) limit \(limit): \(a) -> \(b)")
                        #expect(ReachabilitySearch.reachesOnce(a, b, in: graph) == expected)
                        pairs += 1
                    }
                }
                for key in history.keys {
                    let problem = OrderProblem(key: key, history: history, graph: graph, projecting: false)
                    let certain = problem.commits.indices.filter { problem.commits[$0].status == .applied }
                        .sorted { problem.positions[$0] < problem.positions[$1] }
                    let byPairs = GraphDecider.forcedDecrease(problem, order: full, graph: graph)
                    let sweep = GraphDecider.forcedDecreaseByChains(problem, certain: certain, order: order)
                    #expect((byPairs == nil) == (sweep == nil), "seed \(seed) limit \(limit) \(key)")
                }
            }
        }
        #expect(limited > 50 && pairs > 10_000, "\(limited) histories with several chains, \(pairs) pairs")
    }
}

/// The input rules of specs/trace-format.md on the same random histories: one file per process, the same files
/// concatenated (each with its own meta line), and the whole trace all judge exactly alike; a
/// commit that carries an empty offsets map is bad input naming its line.
@Suite struct SplitTraceTests {
    static func verdicts(_ report: Report) -> [String: String] {
        Dictionary(uniqueKeysWithValues: report.keys.map { ("\($0.keyDescription) \($0.property.rawValue)", $0.verdict.rawValue) })
    }

    @Test func perProcessFilesAndTheirConcatenationAgree() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var options = VerifyOptions(engine: .auto)
        options.minimize = false
        var compared = 0, split = 0
        for seed in UInt64(70_000)..<UInt64(70_600) {
            let text = RandomHistory.make(seed: seed)
            var lines = text.split(separator: "\n").map(String.init)
            let meta = lines.removeFirst()
            guard let whole = try? Verifier(options: options).verify(history: try Fixtures.history(text)) else { continue }
            // One file per process, each starting with the same meta line (clock settings agree).
            var byProc: [String: [String]] = [:]
            var order: [String] = []
            for line in lines {
                let proc = line.firstRange(of: #""proc":""#).map { range in String(line[range.upperBound...].prefix { $0 != "\"" }) } ?? "?"
                if byProc[proc] == nil { order.append(proc) }
                byProc[proc, default: []].append(line)
            }
            let paths = try order.enumerated().map { index, proc -> String in
                let url = directory.appendingPathComponent("s\(seed)-\(index).jsonl")
                try ([meta] + byProc[proc]!).joined(separator: "\n").appending("\n").write(to: url, atomically: true, encoding: .utf8)
                return url.path
            }
            let concatenated = directory.appendingPathComponent("s\(seed)-cat.jsonl")
            try paths.map { try String(contentsOfFile: $0, encoding: .utf8) }.joined().write(to: concatenated, atomically: true, encoding: .utf8)
            let files = try Verifier(options: options).verify(paths: paths)
            let cat = try Verifier(options: options).verify(paths: [concatenated.path])
            #expect(Self.verdicts(files) == Self.verdicts(whole), "seed \(seed): per-process files\n\(text)")
            #expect(Self.verdicts(cat) == Self.verdicts(whole), "seed \(seed): concatenated\n\(text)")
            compared += 1
            if paths.count > 1 { split += 1 }
        }
        #expect(compared > 200 && split > 60, "compared \(compared), split \(split)")
    }

    @Test func emptyOffsetsAreBadInputNamingTheLine() throws {
        var refused = 0
        for seed in UInt64(80_000)..<UInt64(80_200) {
            var lines = RandomHistory.make(seed: seed).split(separator: "\n").map(String.init)
            guard let target = lines.indices.first(where: { lines[$0].contains(#""offsets":{"#) && !lines[$0].contains(#""ev":"fetched""#) }) else { continue }
            lines[target] = lines[target].replacingOccurrences(of: #""offsets":\{[^}]*\}"#, with: #""offsets":{}"#, options: .regularExpression)
            do {
                _ = try Fixtures.history(lines.joined(separator: "\n") + "\n")
                Issue.record("seed \(seed): an empty offsets map at line \(target + 1) was accepted")
            } catch {
                #expect(error.line == target + 1, "seed \(seed): \(error)")
                refused += 1
            }
        }
        #expect(refused > 150)
    }
}
