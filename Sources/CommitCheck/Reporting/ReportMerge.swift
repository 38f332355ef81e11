/// Joins the JSON reports of `verify --shard i/n` runs back into the report of the whole trace.
///
/// Sharding spreads one trace's keys over machines; a merge that silently accepted a shard twice,
/// or one shard too few, would pass a run that never checked some keys. So every shard `0..<n` must
/// be given exactly once, all from runs over the same traces, and no key may appear twice.
package enum ReportMerge {
    /// Why reports cannot be merged.
    package struct Failure: Error, CustomStringConvertible, Sendable {
        package var description: String
        package init(_ description: String) { self.description = description }
    }

    /// Decodes a `commitcheck-report/1` JSON document.
    package static func decode(_ bytes: [UInt8], name: String) throws(Failure) -> Report {
        do {
            let report = try JSONReporter.decode(bytes)
            guard report.format == "commitcheck-report/1" else {
                throw Failure("\(name): not a commitcheck-report/1 document (format '\(report.format)')")
            }
            return report
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure("\(name): not a commitcheck-report/1 JSON document (\(error))")
        }
    }

    /// Merges shard reports (named for messages) into one report covering every key once.
    package static func merge(_ reports: [(name: String, report: Report)]) throws(Failure) -> Report {
        guard let first = reports.first else { throw Failure("no report to merge") }
        for (name, report) in reports where report.shard == nil {
            throw Failure("\(name) is not a shard report (it has no \"shard\" field: it was not written by verify --shard i/n)")
        }
        let count = first.report.shard!.count
        var byIndex: [Int: String] = [:]
        for (name, report) in reports {
            let shard = report.shard!
            guard shard.count == count else {
                throw Failure("\(name) is shard \(shard) but \(first.name) is shard \(first.report.shard!): the shards of one run share n")
            }
            if let other = byIndex[shard.index] {
                throw Failure("overlapping shards: \(other) and \(name) are both shard \(shard)")
            }
            byIndex[shard.index] = name
            guard report.traces == first.report.traces else {
                throw Failure("\(name) checked \(report.traces.joined(separator: " ")) but \(first.name) checked \(first.report.traces.joined(separator: " ")): shards of different runs")
            }
        }
        let missing = (0..<count).filter { byIndex[$0] == nil }
        guard missing.isEmpty else {
            throw Failure("missing shard(s) \(missing.map { "\($0)/\(count)" }.joined(separator: ", ")): the merged report would leave their keys unchecked")
        }
        var keys: [KeyResult] = []
        var seen: [String: String] = [:]
        var warnings: [String] = []
        var statistics: RunStatistics? = nil
        for (name, report) in reports.sorted(by: { $0.report.shard!.index < $1.report.shard!.index }) {
            for key in report.keys {
                let identity = "\(key.keyDescription)\u{0}\(key.property.rawValue)"
                if let other = seen[identity] {
                    throw Failure("overlapping shards: \(key.keyDescription) \(key.property.rawValue) is in both \(other) and \(name)")
                }
                seen[identity] = name
                keys.append(key)
            }
            for warning in report.warnings where !warnings.contains(warning) { warnings.append(warning) }
            if let part = report.statistics {
                var total = statistics ?? RunStatistics()
                // Every shard reads the whole trace: events and parsing are not summed.
                total.events = max(total.events, part.events)
                total.parseSeconds = max(total.parseSeconds, part.parseSeconds)
                total.orderSeconds = max(total.orderSeconds, part.orderSeconds)
                total.decideSeconds += part.decideSeconds
                total.keysByGraph += part.keysByGraph
                total.keysByZ3 += part.keysByZ3
                total.z3Seconds += part.z3Seconds
                statistics = total
            }
        }
        var merged = Report(traces: first.report.traces, keys: sortedAsVerifyWrites(keys), warnings: warnings)
        merged.statistics = statistics
        return merged
    }

    /// Keys in the order an unsharded run lists them: by group, topic, partition (specs/verdicts.md),
    /// `monotonic` before `linearizable`.
    static func sortedAsVerifyWrites(_ keys: [KeyResult]) -> [KeyResult] {
        keys.enumerated().sorted { a, b in
            let x = a.element, y = b.element
            let left = (x.group ?? "", x.topic ?? "", x.partition ?? -1, x.register ?? "")
            let right = (y.group ?? "", y.topic ?? "", y.partition ?? -1, y.register ?? "")
            if left != right { return left < right }
            let order = (x.property == .monotonic ? 0 : 1, a.offset), other = (y.property == .monotonic ? 0 : 1, b.offset)
            return order < other
        }.map(\.element)
    }
}
