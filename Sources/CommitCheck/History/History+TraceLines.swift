extension TraceLineWriter {
    /// One event of `history` as a line; `carryOffsets` puts the commit's group and offsets on a
    /// `send` (needed when its `build` is not part of the output), and events of a history read
    /// from several files name their file.
    package static func line(_ event: TraceEvent, history: History, carryOffsets: Bool = false) -> String {
        var event = event
        if case .send(let send) = event.payload, let index = history.commitIndex[send.commit] {
            event.payload = .send(history.selfContained(send, of: index, carrying: carryOffsets))
        }
        return line(event, carrying: nil, fileName: history.files.count > 1 ? history.files[event.file] : nil)
    }
}

extension History {
    /// A commit's `send` that says on its own what the history knows of the commit: its group and
    /// offsets (when `carrying`, for a sub-trace without the build), its transaction, and its reset
    /// mark (also one that `--reset-clients` gave), so that a sub-trace re-verifies to the same verdict.
    package func selfContained(_ send: TraceEvent.Send, of commitIndex: Int, carrying: Bool) -> TraceEvent.Send {
        var send = send
        let commit = commits[commitIndex]
        if carrying, send.carried == nil { send.carried = TraceEvent.CarriedOffsets(group: commit.group, offsets: commit.offsets) }
        if let transaction = commit.transaction { send.txn = transactions[transaction].id }
        if commit.reset { send.reset = true }
        return send
    }
}
