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
    var transactions: [Transaction] = []
    var transactionIndex: [String: Int] = [:]
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
        case .build(let build):
            let position: Int
            if let existing = commitIndex[build.commit] {
                if let first = commits[existing].build {
                    throw error(event, field: "commit", "second build of commit '\(build.commit)' (first at \(place(first)))", related: [events[first].line])
                }
                // A send carrying offsets came first (merged traces): the build must agree with it.
                // Only an ack or apply came first: the build is where the offsets come from.
                try checkSameRequest(commits[existing], event, group: build.group, offsets: build.offsets)
                if commits[existing].offsets.isEmpty {
                    commits[existing].offsets = build.offsets
                    commits[existing].group = build.group
                }
                position = existing
            } else {
                position = commits.count
                commitIndex[build.commit] = position
                commits.append(Commit(id: build.commit, group: build.group, offsets: build.offsets))
            }
            commits[position].build = index
            try stage(commit: position, in: build.txn, reset: build.reset, event)
        case .send(let send):
            let position = commitSlot(for: send.commit, group: send.carried?.group)
            if let first = commits[position].send {
                throw error(event, field: "commit", "second send of commit '\(send.commit)' (first at \(place(first)))", related: [events[first].line])
            }
            if let carried = send.carried {
                try checkSameRequest(commits[position], event, group: carried.group, offsets: carried.offsets)
                if commits[position].offsets.isEmpty {
                    commits[position].offsets = carried.offsets
                    commits[position].group = carried.group
                }
            }
            commits[position].send = index
            commits[position].client = send.client
            try stage(commit: position, in: send.txn, reset: send.reset, event)
        case .ack(let ack):
            let position = commitSlot(for: ack.commit, group: nil)
            if let first = commits[position].ack {
                throw error(event, field: "commit", "second ack of commit '\(ack.commit)' (first at \(place(first)))", related: [events[first].line])
            }
            commits[position].ack = index
        case .apply(let apply):
            let position = commitSlot(for: apply.commit, group: nil)
            commits[position].applies.append(index)
        case .fetch(let request):
            if let existing = fetchIndex[request.fetch] {
                if let first = fetches[existing].fetch {
                    throw error(event, field: "fetch", "second fetch '\(request.fetch)' (first at \(place(first)))", related: [events[first].line])
                }
                fetches[existing].fetch = index
                fetches[existing].group = request.group
                fetches[existing].partitions = request.partitions
                fetches[existing].client = request.client
            } else {
                fetchIndex[request.fetch] = fetches.count
                var fetch = Fetch(id: request.fetch, group: request.group, partitions: request.partitions)
                fetch.fetch = index
                fetch.client = request.client
                fetches.append(fetch)
            }
        case .fetched(let response):
            let position: Int
            if let existing = fetchIndex[response.fetch] {
                position = existing
            } else {
                position = fetches.count
                fetchIndex[response.fetch] = position
                fetches.append(Fetch(id: response.fetch, group: "", partitions: []))
            }
            if let first = fetches[position].fetched {
                throw error(event, field: "fetch", "second response to fetch '\(response.fetch)' (first at \(place(first)))", related: [events[first].line])
            }
            fetches[position].fetched = index
            fetches[position].results = response.offsets
        case .end(let end):
            let position = transactionSlot(for: end.txn)
            transactions[position].ends.append(index)
            transactions[position].answers.append(nil)
        case .ended(let ended):
            // Each answer belongs to the latest `end` of its transaction (a producer ends one at a time).
            guard let position = transactionIndex[ended.txn], let last = transactions[position].ends.indices.last,
                  transactions[position].answers[last] == nil else {
                throw error(event, field: "txn", "answer to an EndTxn of transaction '\(ended.txn)' that has no unanswered end before it")
            }
            transactions[position].answers[last] = index
        case .completed(let completed):
            let position = transactionSlot(for: completed.txn)
            transactions[position].completions.append(index)
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

    /// The transaction with this id, created at its first mention.
    private mutating func transactionSlot(for id: String) -> Int {
        if let existing = transactionIndex[id] { return existing }
        transactionIndex[id] = transactions.count
        transactions.append(Transaction(id: id))
        return transactions.count - 1
    }

    /// Records what a build or send says of its commit's transaction and reset mark; a build and a
    /// send that name different transactions describe two different requests.
    private mutating func stage(commit position: Int, in txn: String?, reset: Bool, _ event: TraceEvent) throws(TraceError) {
        if reset { commits[position].reset = true }
        guard let txn else { return }
        let transaction = transactionSlot(for: txn)
        if let known = commits[position].transaction {
            guard known == transaction else {
                throw error(event, field: "txn", "commit '\(commits[position].id)' is staged in transaction '\(transactions[known].id)' elsewhere, not '\(txn)'")
            }
            return
        }
        commits[position].transaction = transaction
        transactions[transaction].commits.append(position)
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

    /// A transaction that the broker both committed and aborted is a trace that contradicts itself.
    private func checkEnds(_ transaction: Transaction) throws(TraceError) {
        var committedBy: Int? = nil, abortedBy: Int? = nil
        for (position, end) in transaction.ends.enumerated() {
            guard let answer = transaction.answers[position], events[answer].status == .ok, case .end(let request) = events[end].payload else { continue }
            if request.result == .commit { committedBy = committedBy ?? answer } else { abortedBy = abortedBy ?? answer }
        }
        if let committedBy, let abortedBy {
            let later = max(committedBy, abortedBy), earlier = min(committedBy, abortedBy)
            throw error(events[later], field: "txn", "transaction '\(transaction.id)' was answered ok both to commit and to abort (the other at \(place(earlier)))",
                        related: [events[earlier].line])
        }
    }

    mutating func finish() throws(TraceError) -> History {
        for commit in commits where commit.offsets.isEmpty {
            // Every commit here was created by one of its events; the decoder rejects empty maps.
            guard let first = [commit.build, commit.send, commit.ack, commit.applies.first].compactMap({ $0 }).min() else { continue }
            throw error(events[first], field: "commit", "commit '\(commit.id)' has no offsets: no build, and no send carrying group and offsets")
        }
        for commit in commits {
            guard let ack = commit.ack, events[ack].status == .fail, let apply = commit.applies.first else { continue }
            throw error(events[apply], "commit '\(commit.id)' is observed applied here but its ack at \(place(ack)) says it failed",
                        related: [events[ack].line])
        }
        for fetch in fetches where fetch.fetch == nil {
            // A fetch without its `fetch` event was created by its response.
            guard let response = fetch.fetched else { continue }
            throw error(events[response], field: "fetch", "response to fetch '\(fetch.id)', which was never issued")
        }
        for position in transactions.indices {
            try checkEnds(transactions[position])
            transactions[position].outcome = TransactionOutcome.of(transactions[position], events: events)
        }
        return History(files: files, meta: meta ?? TraceMeta(), events: events, commits: commits,
                       commitIndex: commitIndex, fetches: fetches, transactions: transactions,
                       transactionIndex: transactionIndex, warnings: warnings)
    }
}
