import Workloads

/// Random small traces with transactions and resets (specs/system-model.md, rules 8 and 9):
/// staged commits in committed, aborted and undecided transactions (no `end`, an `end` with no or an
/// `unknown` answer, a fenced `fail`), several stagings of one partition in one transaction, plain
/// commits interleaved with stagings, `completed` bounds, transactions over two groups and
/// partitions, resets (some to `-1`, some that may not apply, several on one key), and fetches
/// between staging and commit.
enum RandomTransactionHistory {
    static func make(seed: UInt64) -> String {
        var rng = SeededGenerator(seed: seed)
        let partitions = ["t/0", "t/1"].prefix(Int.random(in: 1...2, using: &rng))
        let groups = Int.random(in: 0..<6, using: &rng) == 0 ? ["g", "h"] : ["g"]
        var lines: [String] = [#"{"ev":"meta","format":"commitcheck/1""# + (Int.random(in: 0..<5, using: &rng) == 0
            ? #","initial":{"g":{"t/0":\#(Int.random(in: 0...3, using: &rng))}}}"# : "}")]
        var clock = 0
        func stamp() -> String {
            guard Int.random(in: 0..<3, using: &rng) > 0 else { return "" }
            clock += Int.random(in: 0...2, using: &rng)
            return #","ts":\#(clock)"#
        }
        var queues: [[String]] = []
        var written: [String: [Int]] = [:]
        var commitNumber = 0
        func offsets(reset: Bool) -> String {
            var entries: [String] = []
            for partition in partitions where Bool.random(using: &rng) || entries.isEmpty {
                let offset = reset && Int.random(in: 0..<3, using: &rng) == 0 ? -1 : Int.random(in: 0...3, using: &rng)
                written[partition, default: []].append(offset)
                entries.append("\"\(partition)\":\(offset)")
            }
            return "{" + entries.joined(separator: ",") + "}"
        }
        func ack(_ head: String, _ id: String) -> String? {
            switch Int.random(in: 0..<7, using: &rng) {
            case 0: return nil
            case 1: return #"{"ev":"ack",\#(head)\#(stamp()),"commit":"\#(id)","status":"fail"}"#
            case 2: return #"{"ev":"ack",\#(head)\#(stamp()),"commit":"\#(id)","status":"unknown"}"#
            case 3: return #"{"ev":"ack",\#(head)\#(stamp()),"commit":"\#(id)","status":"ok","errors":{"t/0":"E"}}"#
            default: return #"{"ev":"ack",\#(head)\#(stamp()),"commit":"\#(id)","status":"ok"}"#
            }
        }
        /// One commit's lines: build (or a wire-only send), send, ack.
        func commit(head: String, group: String, txn: String?) -> [String] {
            let id = "c\(commitNumber)"
            commitNumber += 1
            let reset = Int.random(in: 0..<5, using: &rng) == 0
            let marks = (txn.map { #","txn":"\#($0)""# } ?? "") + (reset ? #","reset":true"# : "")
            let map = offsets(reset: reset)
            var events: [String] = []
            let wireOnly = Bool.random(using: &rng)
            if !wireOnly { events.append(#"{"ev":"build",\#(head)\#(stamp()),"commit":"\#(id)","group":"\#(group)","offsets":\#(map)\#(marks)}"#) }
            let conn = Int.random(in: 0..<3, using: &rng) == 0 ? #","conn":"k""# : ""
            let carried = wireOnly ? #","group":"\#(group)","offsets":\#(map)"# : ""
            events.append(#"{"ev":"send",\#(head)\#(stamp()),"commit":"\#(id)"\#(conn)\#(carried)\#(marks)}"#)
            if let line = ack(head, id) { events.append(line) }
            return events
        }
        // Plain commits of consumers, some on their own threads.
        for _ in 0..<Int.random(in: 0...2, using: &rng) {
            let head = #""proc":"p","thread":"\#(["a", "b"].randomElement(using: &rng)!)""#
            queues.append(commit(head: head, group: "g", txn: nil))
        }
        // Transactions of one producer, one after another on its thread; `completed` is the
        // coordinator's word (another thread of the proxy) that the previous one took effect.
        var producer: [String] = []
        let head = #""proc":"p","thread":"tx""#
        let transactionCount = Int.random(in: 1...2, using: &rng)
        for number in 0..<transactionCount {
            let txn = "T\(number)"
            for _ in 0..<Int.random(in: 1...2, using: &rng) {
                producer += commit(head: head, group: groups.randomElement(using: &rng)!, txn: txn)
            }
            switch Int.random(in: 0..<8, using: &rng) {
            case 0: break   // no end: undecided
            case 1: producer.append(#"{"ev":"end",\#(head)\#(stamp()),"txn":"\#(txn)","result":"abort"}"#)
                if Bool.random(using: &rng) { producer.append(#"{"ev":"ended",\#(head)\#(stamp()),"txn":"\#(txn)","status":"ok"}"#) }
            case 2: producer.append(#"{"ev":"end",\#(head)\#(stamp()),"txn":"\#(txn)","result":"commit"}"#)   // no answer
            case 3: producer.append(#"{"ev":"end",\#(head)\#(stamp()),"txn":"\#(txn)","result":"commit"}"#)
                producer.append(#"{"ev":"ended",\#(head)\#(stamp()),"txn":"\#(txn)","status":"unknown"}"#)
            case 4: producer.append(#"{"ev":"end",\#(head)\#(stamp()),"txn":"\#(txn)","result":"commit"}"#)
                producer.append(#"{"ev":"ended",\#(head)\#(stamp()),"txn":"\#(txn)","status":"fail","error":"PRODUCER_FENCED"}"#)
            default: producer.append(#"{"ev":"end",\#(head)\#(stamp()),"txn":"\#(txn)","result":"commit"}"#)
                producer.append(#"{"ev":"ended",\#(head)\#(stamp()),"txn":"\#(txn)","status":"ok"}"#)
            }
            if Bool.random(using: &rng) { producer.append(#"{"ev":"completed","proc":"p","thread":"coord"\#(stamp()),"txn":"\#(txn)"}"#) }
        }
        // Now and then the stagings and ends run on two threads (unordered but for the clock).
        if Int.random(in: 0..<4, using: &rng) == 0, producer.count > 2 {
            let cut = Int.random(in: 1..<producer.count, using: &rng)
            queues.append(Array(producer[..<cut]))
            queues.append(Array(producer[cut...]).map { $0.replacingOccurrences(of: #""thread":"tx""#, with: #""thread":"tx2""#) })
        } else {
            queues.append(producer)
        }
        // Fetches, some between staging and commit.
        for index in 0..<(Int.random(in: 0..<3, using: &rng) == 0 ? Int.random(in: 1...2, using: &rng) : 0) {
            let head = #""proc":"p","thread":"\#(["a", "r"].randomElement(using: &rng)!)""#
            let read = Bool.random(using: &rng) ? Array(partitions) : [partitions.randomElement(using: &rng)!]
            let values = read.map { partition -> String in
                let seen = written[partition, default: []]
                let value = Int.random(in: 0..<3, using: &rng) > 0 && !seen.isEmpty ? seen.randomElement(using: &rng)! : Int.random(in: -1...3, using: &rng)
                return "\"\(partition)\":\(value)"
            }
            queues.append([
                #"{"ev":"fetch",\#(head)\#(stamp()),"fetch":"f\#(index)","group":"g","partitions":[\#(read.map { "\"\($0)\"" }.joined(separator: ","))]}"#,
                #"{"ev":"fetched",\#(head)\#(stamp()),"fetch":"f\#(index)","offsets":{\#(values.joined(separator: ","))}}"#,
            ])
        }
        while queues.contains(where: { !$0.isEmpty }) {
            let pick = queues.indices.filter { !queues[$0].isEmpty }.randomElement(using: &rng)!
            lines.append(queues[pick].removeFirst())
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
