import Workloads

/// The tests' seeded generator.
typealias SeededGenerator = SplitMix64

/// Random small `commitcheck/1` traces exercising every rule: threads, processes, timestamps
/// (monotonic and wall with skew), builds with and without sends, wire-only sends, connections,
/// every ack status (an `unknown` one followed by later commits), per-partition errors, observed
/// applies, initial offsets, and fetches of one or several partitions.
enum RandomHistory {
    static func make(seed: UInt64) -> String {
        var rng = SeededGenerator(seed: seed)
        let procs = ["p", "q"].prefix(Int.random(in: 1...2, using: &rng))
        let threads = ["a", "b"]
        let partitions = ["t/0", "t/1"].prefix(Int.random(in: 1...2, using: &rng))
        let wall = Bool.random(using: &rng) && procs.count > 1
        var lines: [String] = []
        var meta = #"{"ev":"meta","format":"commitcheck/1""#
        if wall { meta += #","clock":"wall","skew_ns":\#(Int.random(in: 0...3, using: &rng))"# }
        if Int.random(in: 0..<5, using: &rng) == 0 { meta += #","initial":{"g":{"t/0":\#(Int.random(in: 0...3, using: &rng))}}"# }
        lines.append(meta + "}")
        let commitCount = Int.random(in: 0..<8, using: &rng) == 0 ? 4 : Int.random(in: 1...3, using: &rng)
        // Each commit gets a home (proc, thread) and a sequence of its own events.
        struct Pending { var events: [String] }
        var queues: [[String]] = []
        var offsetsWritten: [String: [Int]] = [:]
        var clock = 0
        for index in 0..<commitCount {
            let proc = procs.randomElement(using: &rng)!
            let thread = threads.randomElement(using: &rng)!
            let id = "c\(index)"
            var offsets: [String] = []
            for partition in partitions where Bool.random(using: &rng) || offsets.isEmpty {
                let offset = Int.random(in: 0...3, using: &rng)
                offsetsWritten[partition, default: []].append(offset)
                offsets.append("\"\(partition)\":\(offset)")
            }
            let offsetText = "{" + offsets.joined(separator: ",") + "}"
            var events: [String] = []
            func stamp() -> String {
                guard Int.random(in: 0..<3, using: &rng) > 0 else { return "" }
                clock += Int.random(in: 0...2, using: &rng)
                return #","ts":\#(clock)"#
            }
            let head = #""proc":"\#(proc)","thread":"\#(thread)""#
            let wireOnly = Int.random(in: 0..<5, using: &rng) == 0
            if !wireOnly {
                events.append(#"{"ev":"build",\#(head)\#(stamp()),"commit":"\#(id)","group":"g","offsets":\#(offsetText)}"#)
            }
            let sends = wireOnly || Int.random(in: 0..<5, using: &rng) > 0
            if sends {
                let conn = Int.random(in: 0..<3, using: &rng) == 0 ? #","conn":"k""# : ""
                let carried = wireOnly ? #","group":"g","offsets":\#(offsetText)"# : ""
                events.append(#"{"ev":"send",\#(head)\#(stamp()),"commit":"\#(id)"\#(conn)\#(carried)}"#)
            }
            if Int.random(in: 0..<6, using: &rng) == 0 {
                events.append(#"{"ev":"apply","proc":"broker","thread":"log"\#(stamp()),"commit":"\#(id)"}"#)
                // Now and then the broker log shows it twice.
                if Int.random(in: 0..<4, using: &rng) == 0 {
                    events.append(#"{"ev":"apply","proc":"broker","thread":"log","commit":"\#(id)"}"#)
                }
            }
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: break
            case 1: events.append(#"{"ev":"ack",\#(head)\#(stamp()),"commit":"\#(id)","status":"fail"}"#)
            case 2: events.append(#"{"ev":"ack",\#(head)\#(stamp()),"commit":"\#(id)","status":"unknown"}"#)
            case 3: events.append(#"{"ev":"ack",\#(head)\#(stamp()),"commit":"\#(id)","status":"ok","errors":{"t/0":"E"}}"#)
            default: events.append(#"{"ev":"ack",\#(head)\#(stamp()),"commit":"\#(id)","status":"ok"}"#)
            }
            // Occasionally swap two events to produce contradictions and odd orders.
            if events.count > 1 && Int.random(in: 0..<12, using: &rng) == 0 { events.swapAt(0, 1) }
            queues.append(events)
        }
        // Some OffsetFetch reads, of one partition or of several at one read point, answered with a
        // value some commit wrote (or the initial -1) or with an arbitrary one. A read of one
        // partition can then order the commits that the other partition sees.
        let fetchCount = commitCount <= 3 && Int.random(in: 0..<3, using: &rng) == 0 ? Int.random(in: 1...2, using: &rng) : 0
        for index in 0..<fetchCount {
            let head = #""proc":"\#(procs.randomElement(using: &rng)!)","thread":"\#(threads.randomElement(using: &rng)!)""#
            let read = Bool.random(using: &rng) ? Array(partitions) : [partitions.randomElement(using: &rng)!]
            let values = read.map { partition -> String in
                let written = offsetsWritten[partition, default: []]
                let value = Int.random(in: 0..<3, using: &rng) > 0 && !written.isEmpty ? written.randomElement(using: &rng)! : Int.random(in: -1...3, using: &rng)
                return "\"\(partition)\":\(value)"
            }
            let names = read.map { "\"\($0)\"" }.joined(separator: ",")
            func stamp() -> String {
                guard Int.random(in: 0..<3, using: &rng) > 0 else { return "" }
                clock += Int.random(in: 0...2, using: &rng)
                return #","ts":\#(clock)"#
            }
            queues.append([
                #"{"ev":"fetch",\#(head)\#(stamp()),"fetch":"f\#(index)","group":"g","partitions":[\#(names)]}"#,
                #"{"ev":"fetched",\#(head)\#(stamp()),"fetch":"f\#(index)","offsets":{\#(values.joined(separator: ","))}}"#,
            ])
        }
        // Interleave the commits' event sequences at random.
        while queues.contains(where: { !$0.isEmpty }) {
            let candidates = queues.indices.filter { !queues[$0].isEmpty }
            let pick = candidates.randomElement(using: &rng)!
            lines.append(queues[pick].removeFirst())
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
