/// Accumulates events and enforces the rules that span lines.
struct HistoryBuilder {
    var files: [String]
    var meta: TraceMeta? = nil
    var metaLine: (file: Int, line: Int)? = nil
    var events: [TraceEvent] = []
    var commits: [Commit] = []
    var commitIndex: [String: Int] = [:]
    var fetches: [Fetch] = []
    var fetchIndex: [String: Int] = [:]
    var warnings: [String] = []

    init(files: [String]) { self.files = files }

    private func error(_ event: TraceEvent, field: String? = nil, _ message: String, related: [Int] = []) -> TraceError {
        TraceError(file: files[event.file], line: event.line, field: field, message: message, relatedLines: related)
    }

    private func place(_ index: Int) -> String {
        let event = events[index]
        return files.count > 1 ? "\(files[event.file]):\(event.line)" : "line \(event.line)"
    }

    /// Whether a labelled meta line would start a new history: something (an event, or a meta line
    /// that is itself a counterexample's) is already here.
    var hasContent: Bool { !events.isEmpty || meta?.counterexample != nil }

    mutating func add(_ event: consuming TraceEvent) throws(TraceError) {
        if event.kind == .meta {
            guard let newMeta = event.meta else { return }
            if let existing = meta, let first = metaLine {
                // A later section of the same history (a second file, or files joined with `cat`):
                // its clock settings must be the same, or timestamps would be compared across
                // clocks that the sections do not share.
                let at = files.count > 1 ? "\(files[first.file]):\(first.line)" : "line \(first.line)"
                guard existing.clock == newMeta.clock else {
                    throw error(event, field: "clock", "this meta line's clock (\(newMeta.clock.rawValue)) disagrees with the meta line at \(at) (\(existing.clock.rawValue)): one history has one clock setting", related: [first.line])
                }
                guard existing.skewNanoseconds == newMeta.skewNanoseconds else {
                    throw error(event, field: "skew_ns", "this meta line's skew_ns (\(newMeta.skewNanoseconds)) disagrees with the meta line at \(at) (\(existing.skewNanoseconds)): one history has one clock setting", related: [first.line])
                }
                var merged = existing
                for (group, offsets) in newMeta.initial {
                    for (partition, offset) in offsets {
                        if let old = merged.initial[group]?[partition], old != offset {
                            throw error(event, field: "initial", "initial offset \(offset) of \(group) \(partition) disagrees with \(old) at \(at)", related: [first.line])
                        }
                        merged.initial[group, default: [:]][partition] = offset
                    }
                }
                if merged.counterexample == nil { merged.counterexample = newMeta.counterexample }
                meta = merged
            } else {
                meta = newMeta
                metaLine = (event.file, event.line)
            }
            return
        }
        // The event joins `events` last, so that it is moved there rather than copied; until then
        // `index` is the position it will have.
        let index = events.count
        switch event.payload {
        case .meta:
            break
        case .build(let id, let group, let offsets, _, _):
            if let existing = commitIndex[id] {
                if let first = commits[existing].build {
                    throw error(event, field: "commit", "second build of commit '\(id)' (first at \(place(first)))", related: [events[first].line])
                }
                // A send carrying offsets came first (merged traces): the build must agree with it.
                // Only an ack or apply came first: the build is where the offsets come from.
                try checkSameRequest(commits[existing], event, group: group, offsets: offsets)
                if commits[existing].offsets.isEmpty {
                    commits[existing].offsets = offsets
                    commits[existing].group = group
                }
                commits[existing].build = index
            } else {
                commitIndex[id] = commits.count
                var commit = Commit(id: id, group: group, offsets: offsets)
                commit.build = index
                commits.append(commit)
            }
        case .send(let id, _, let carried):
            let position = commitSlot(for: id, group: carried?.group)
            if let first = commits[position].send {
                throw error(event, field: "commit", "second send of commit '\(id)' (first at \(place(first)))", related: [events[first].line])
            }
            if let carried {
                try checkSameRequest(commits[position], event, group: carried.group, offsets: carried.offsets)
                if commits[position].offsets.isEmpty {
                    commits[position].offsets = carried.offsets
                    commits[position].group = carried.group
                }
            }
            commits[position].send = index
        case .ack(let id, _, _):
            let position = commitSlot(for: id, group: nil)
            if let first = commits[position].ack {
                throw error(event, field: "commit", "second ack of commit '\(id)' (first at \(place(first)))", related: [events[first].line])
            }
            commits[position].ack = index
        case .apply(let id):
            let position = commitSlot(for: id, group: nil)
            commits[position].applies.append(index)
        case .fetch(let id, let group, let partitions):
            if let existing = fetchIndex[id] {
                if let first = fetches[existing].fetch {
                    throw error(event, field: "fetch", "second fetch '\(id)' (first at \(place(first)))", related: [events[first].line])
                }
                fetches[existing].fetch = index
                fetches[existing].group = group
                fetches[existing].partitions = partitions
            } else {
                fetchIndex[id] = fetches.count
                var fetch = Fetch(id: id, group: group, partitions: partitions)
                fetch.fetch = index
                fetches.append(fetch)
            }
        case .fetched(let id, let offsets):
            let position: Int
            if let existing = fetchIndex[id] {
                position = existing
            } else {
                position = fetches.count
                fetchIndex[id] = position
                fetches.append(Fetch(id: id, group: "", partitions: []))
            }
            if let first = fetches[position].fetched {
                throw error(event, field: "fetch", "second response to fetch '\(id)' (first at \(place(first)))", related: [events[first].line])
            }
            fetches[position].fetched = index
            fetches[position].results = offsets
        }
        events.append(event)
    }

    /// The commit an event refers to, creating a placeholder when its build comes later (or never).
    private mutating func commitSlot(for id: String, group: String?) -> Int {
        if let existing = commitIndex[id] { return existing }
        commitIndex[id] = commits.count
        commits.append(Commit(id: id, group: group ?? "", offsets: []))
        return commits.count - 1
    }

    /// A build and a wire recorder's send of one commit must name the same request.
    private func checkSameRequest(_ commit: Commit, _ event: TraceEvent, group: String, offsets: [(TopicPartition, Int)]) throws(TraceError) {
        guard !commit.offsets.isEmpty else { return }
        let same = commit.group == group
            && commit.offsets.count == offsets.count
            && zip(commit.offsets.sorted { $0.0 < $1.0 }, offsets.sorted { $0.0 < $1.0 }).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        if !same {
            let other = commit.build ?? commit.send
            throw error(event, field: "offsets", "commit '\(commit.id)' carries different group or offsets than at \(other.map(place) ?? "its build")",
                        related: other.map { [events[$0].line] } ?? [])
        }
    }

    mutating func finish() throws(TraceError) -> History {
        for commit in commits where commit.offsets.isEmpty {
            // Every commit here was created by one of its events; the decoder rejects empty maps.
            guard let first = [commit.build, commit.send, commit.ack, commit.applies.first].compactMap({ $0 }).min() else { continue }
            throw error(events[first], field: "commit", "commit '\(commit.id)' has no offsets: no build, and no send carrying group and offsets")
        }
        for commit in commits {
            guard let ack = commit.ack, case .ack(_, .fail, _) = events[ack].payload, let apply = commit.applies.first else { continue }
            throw error(events[apply], "commit '\(commit.id)' is observed applied here but its ack at \(place(ack)) says it failed",
                        related: [events[ack].line])
        }
        for fetch in fetches where fetch.fetch == nil {
            // A fetch without its `fetch` event was created by its response.
            guard let response = fetch.fetched else { continue }
            throw error(events[response], field: "fetch", "response to fetch '\(fetch.id)', which was never issued")
        }
        return History(files: files, meta: meta ?? TraceMeta(), events: events, commits: commits,
                       commitIndex: commitIndex, fetches: fetches, warnings: warnings)
    }
}
