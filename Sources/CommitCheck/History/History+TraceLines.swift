extension TraceLineWriter {
    /// One event of `history` as a line; `carryOffsets` puts the commit's group and offsets on a
    /// `send` (needed when its `build` is not part of the output), and events of a history read
    /// from several files name their file.
    package static func line(_ event: TraceEvent, history: History, carryOffsets: Bool = false) -> String {
        var carrying: TraceEvent.CarriedOffsets? = nil
        if carryOffsets, event.kind == .send, let commit = event.commit, let index = history.commitIndex[commit] {
            carrying = TraceEvent.CarriedOffsets(group: history.commits[index].group, offsets: history.commits[index].offsets)
        }
        return line(event, carrying: carrying, fileName: history.files.count > 1 ? history.files[event.file] : nil)
    }
}
