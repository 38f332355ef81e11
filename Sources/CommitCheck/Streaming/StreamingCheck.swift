import Dispatch
import Locking

/// Checks a trace as it arrives, one consumer group's open window at a time, closing a window at
/// an exact cut and deciding it with the ``Verifier`` (specs/scaling.md, "Streaming").
///
/// Exactness rests on a trace every event of which is totally ordered by one clock: one `proc`,
/// `ts` on every event, `ts` never decreasing in file order (equal only on one thread), and no
/// connection shared by two groups. Then every event before a cut happens-before every event after it, and the only thing
/// the past tells the future of a group is each key's register value at the cut. A group is cut
/// where it is quiescent (no commit or fetch in flight, no `unknown`-acked commit that may still
/// apply) and every key's last value is determined by one certainly applied commit whose events
/// are carried into the next window (so the next window judges exactly "the history after the
/// cut, starting from that value"). Anything else makes the trace ineligible, and the caller
/// falls back to the whole-history path: a cut is made stricter, never a verdict weaker.
package final class StreamingCheck {
    /// Why a trace cannot be checked by streaming; the caller runs the whole-history path.
    package struct Ineligible: Error, Sendable, CustomStringConvertible {
        package var reason: String
        package var description: String { reason }
    }

    /// One window's decided key, for online reporting and for the final report.
    package struct Finding: Sendable {
        package var result: KeyResult
        /// The last trace line of the window it was decided in.
        package var windowEndLine: Int
    }

    /// Options of each window's verification (online reporting wants stories; `verify` wants only
    /// verdicts, because a group with a bad key is re-verified whole for its counterexample).
    package var windowOptions: VerifyOptions
    /// A group's window is cut only after this many new events (amortises each verification).
    package var minimumWindowEvents: Int
    /// Closed windows are decided together once they hold this many events.
    package var batchEvents: Int
    /// ...or once this many windows wait: each window's threads are chains of the order graph's
    /// vector clocks, so a batch of many groups costs time and memory in their product.
    package var batchWindows = 32
    /// Whether batches the feed closes are decided on a thread of their own while reading goes on
    /// (`verify` on several cores); one batch at most is in flight, so memory stays two batches.
    package var decidesInBackground = false
    /// Tests: whether a cut may be made before the event on this line (nil: wherever exact).
    package var cutAllowed: (@Sendable (Int) -> Bool)? = nil
    /// The file name events are reported against.
    package let file: String

    private var meta: TraceEvent? = nil
    private var sawEvent = false
    private var proc: String? = nil
    /// The `ts` and thread of the last event: `ts` never goes back in file order, and two events
    /// with one `ts` are of one thread, so all events are totally ordered in file order.
    private var lastTs = Int.min
    private var lastThread = ""
    private var windows: [String: GroupWindow] = [:]
    /// Groups quiescent after their last event, in the order they became so, each with the largest
    /// `ts` of its window and the window's generation (a later event of the group supersedes it):
    /// the first event with a later `ts` cuts it.
    private var candidates: [(group: String, maxTs: Int, generation: Int)] = []
    private var candidateHead = 0
    /// Per group, the largest `ts` before its last cut: a later event of the group at or before it
    /// would make that cut inexact, so the trace takes the whole-history path.
    private var cutTs: [String: Int] = [:]
    private var commitGroup: [String: String] = [:]
    private var fetchGroup: [String: String] = [:]
    private var connGroup: [String: String] = [:]
    /// Every commit and fetch id seen: one seen again after its window closed makes the trace
    /// ineligible (a second build of a commit is an error the whole-history path reports).
    private var seenCommits = SeenIDs()
    private var seenFetches = SeenIDs()
    /// Closed windows not yet decided, one per group: a group cut again before its last window was
    /// decided has the two merged (the window the cut did not make), so a busy group costs one
    /// verification per batch, not one per cut.
    private var queued: [String: [TraceEvent]] = [:]
    private var queuedEventCount = 0
    /// The batch being decided in the background, if any.
    private var pending: (group: DispatchGroup, outcome: ResultSlots<Result<DecidedBatch?, Ineligible>>)? = nil
    /// Events in the open windows, kept as they change (the metrics ask for it often).
    private var openEventCount = 0

    /// Per key and property, the latest window's result, or the first `violated` one.
    package private(set) var latest: [KeyPropertySlot: KeyResult] = [:]
    /// Groups with a key that some window did not find `holds`.
    package private(set) var unsettledGroups: Set<String> = []
    package private(set) var windowCount = 0
    package private(set) var eventCount = 0
    package private(set) var commitCount = 0
    package private(set) var fetchCount = 0
    package private(set) var statistics = RunStatistics()
    /// Events currently held in open windows and queued closed ones (what memory grows with).
    package var heldEvents: Int { openEventCount + queuedEventCount }
    /// Commits in flight (sent or built, not acked) over all groups.
    package var openCommits: Int { windows.values.reduce(0) { $0 + $1.openCommits } }
    package var groupCount: Int { windows.count }
    /// Ids remembered one by one (the rest are runs of numbers): memory that grows with disorder.
    package var idsHeld: Int { seenCommits.individuallyHeld + seenFetches.individuallyHeld }

    /// A key and property, the unit of a report line.
    package struct KeyPropertySlot: Hashable, Sendable {
        package var key: PartitionKey
        package var property: Property
        package init(key: PartitionKey, property: Property) {
            self.key = key
            self.property = property
        }
    }

    package init(file: String, windowOptions: VerifyOptions, minimumWindowEvents: Int = 64, batchEvents: Int = 32_768) {
        self.file = file
        self.windowOptions = windowOptions
        self.minimumWindowEvents = minimumWindowEvents
        self.batchEvents = batchEvents
    }

    /// Keys of the events still held (open windows and undecided closed ones), each with whether it
    /// is read: what a pass stopped now has not decided beyond ``latest``.
    package var heldKeys: [PartitionKey: Bool] {
        var keys: [PartitionKey: Bool] = [:]
        func note(_ event: TraceEvent, group: String) {
            guard let offsets = event.offsets else { return }
            for (partition, _) in offsets {
                let key = PartitionKey(group: group, partition: partition)
                keys[key] = (keys[key] ?? false) || event.kind == .fetched
            }
        }
        for (group, window) in windows { for event in window.events { note(event, group: group) } }
        for (group, events) in queued { for event in events { note(event, group: group) } }
        return keys
    }

    /// The `meta` event of the trace, if it had one (every window is verified under it).
    package var metaEvent: TraceEvent? { meta }

    /// Takes the next event in trace order; returns the findings of windows decided meanwhile.
    package func feed(_ event: consuming TraceEvent) throws(Ineligible) -> [Finding] {
        if event.kind == .meta {
            guard !sawEvent, meta == nil else { throw Ineligible(reason: "a meta line after the first line (line \(event.line))") }
            guard event.meta?.counterexample == nil else { throw Ineligible(reason: "a file of counterexample sub-histories") }
            meta = event
            return []
        }
        sawEvent = true
        guard let ts = event.ts else { throw Ineligible(reason: "line \(event.line) has no ts") }
        if let proc, proc != event.proc { throw Ineligible(reason: "several processes (\(proc), \(event.proc))") }
        proc = event.proc
        // Every two events are then ordered directly: by `ts`, or by program order when equal.
        if ts < lastTs || (ts == lastTs && event.thread != lastThread) {
            throw Ineligible(reason: ts < lastTs ? "ts goes back at line \(event.line)" : "line \(event.line) has the ts of the line before on another thread")
        }
        lastTs = ts
        lastThread = event.thread
        var findings: [Finding] = []
        // Every event of a candidate group so far happens-before this one: cut it here.
        let allowed = cutAllowed?(event.line) ?? true
        while candidateHead < candidates.count, candidates[candidateHead].maxTs < ts {
            let candidate = candidates[candidateHead]
            candidateHead += 1
            if allowed, windows[candidate.group]?.generation == candidate.generation {
                try cut(group: candidate.group, findings: &findings)
            }
        }
        if candidateHead > 1_024 && candidateHead * 2 > candidates.count {
            candidates.removeFirst(candidateHead)
            candidateHead = 0
        }
        let group = try route(event)
        if let cut = cutTs[group], ts <= cut {
            throw Ineligible(reason: "line \(event.line) of group \(group) is not later than the group's last cut")
        }
        eventCount += 1
        openEventCount += 1
        windows[group, default: GroupWindow()].add(event)
        // A cut copies the carried commits' events into the next window: cutting only once the
        // window has as many new events as carried ones keeps that copying within the events read.
        if let window = windows[group], window.isQuiescent, window.fresh >= minimumWindowEvents, window.fresh >= window.retryAt,
           window.fresh >= window.carriedEvents {
            candidates.append((group, window.maxTs, window.generation))
        }
        if queuedEventCount >= batchEvents || queued.count >= batchWindows { findings += try submit() }
        return findings
    }

    /// The group an event belongs to, checking the ids it names against what is open and retired.
    private func route(_ event: TraceEvent) throws(Ineligible) -> String {
        switch event.kind {
        case .end, .ended, .completed:
            throw Ineligible(reason: "transactions (line \(event.line)): windows are not cut around them yet, the whole history decides")
        case .build, .send:
            let id = event.commit!
            if event.txn != nil {
                throw Ineligible(reason: "transactions (line \(event.line)): windows are not cut around them yet, the whole history decides")
            }
            let group: String
            if let open = commitGroup[id] {
                if let named = event.group, named != open { throw Ineligible(reason: "commit '\(id)' names two groups (line \(event.line))") }
                group = open
            } else {
                guard let named = event.group else { throw Ineligible(reason: "line \(event.line) refers to commit '\(id)' before its build") }
                guard !seenCommits.contains(id) else { throw Ineligible(reason: "commit id '\(id)' seen again at line \(event.line) after its window closed") }
                seenCommits.insert(id)
                group = named
                commitGroup[id] = group
                commitCount += 1
            }
            if event.kind == .send, let conn = event.conn {
                if let owner = connGroup[conn], owner != group { throw Ineligible(reason: "connection '\(conn)' carries commits of two groups") }
                connGroup[conn] = group
            }
            return group
        case .ack, .apply:
            guard let group = commitGroup[event.commit!] else { throw Ineligible(reason: "line \(event.line) refers to commit '\(event.commit!)' outside its window") }
            return group
        case .fetch:
            let id = event.fetch!
            guard fetchGroup[id] == nil, !seenFetches.contains(id) else { throw Ineligible(reason: "fetch id '\(id)' seen again at line \(event.line)") }
            seenFetches.insert(id)
            fetchGroup[id] = event.group!
            fetchCount += 1
            return event.group!
        case .fetched:
            guard let group = fetchGroup[event.fetch!] else { throw Ineligible(reason: "line \(event.line) answers fetch '\(event.fetch!)' outside its window") }
            return group
        case .meta:
            fatalError("meta is handled by feed")
        }
    }

    /// Closes a group's window if every key's last value is determined; queues it for deciding.
    private func cut(group: String, findings: inout [Finding]) throws(Ineligible) {
        guard var window = windows[group], window.isQuiescent else { return }
        guard let carried = window.carriedCommits(initial: meta?.meta?.initial[group] ?? [:]) else {
            // Not determined yet: try again once the window has grown by a quarter.
            window.retryAt = window.fresh + window.events.count / 4 + minimumWindowEvents
            windows[group] = window
            return
        }
        cutTs[group] = window.maxTs
        if queued[group] != nil {
            // Its previous window waits undecided: together they are the window this cut and the
            // last did not make (the carried events, already there, once).
            queued[group]!.append(contentsOf: window.events.suffix(window.fresh))
            queuedEventCount += window.fresh
        } else {
            queued[group] = window.events
            queuedEventCount += window.events.count
            windowCount += 1
        }
        for (id, _) in window.commits where !carried.contains(id) {
            commitGroup[id] = nil
        }
        for id in window.fetchIds {
            fetchGroup[id] = nil
        }
        let next = window.carrying(carried)
        openEventCount += next.events.count - window.events.count
        windows[group] = next
    }

    /// Decides every queued closed window (one verification for all of them: their groups share
    /// nothing), after the batch in the background if one is there; returns when all are decided.
    package func flush() throws(Ineligible) -> [Finding] {
        var findings = try submit()
        findings += try collect()
        return findings
    }

    /// Hands the queued windows to be decided: in the background when allowed (first taking the
    /// findings of the batch before), else now.
    private func submit() throws(Ineligible) -> [Finding] {
        var findings = try collect()
        guard !queued.isEmpty else { return findings }
        let batch = Array(queued.values)
        queued.removeAll()
        queuedEventCount = 0
        guard decidesInBackground else {
            findings += try absorb(Self.decide(batch, meta: meta, file: file, options: windowOptions))
            return findings
        }
        let outcome = ResultSlots<Result<DecidedBatch?, Ineligible>>(count: 1)
        let group = DispatchGroup()
        let (meta, file, options) = (self.meta, self.file, self.windowOptions)
        DispatchQueue.global().async(group: group) {
            do throws(Ineligible) {
                outcome.store(0, .success(try Self.decide(batch, meta: meta, file: file, options: options)))
            } catch {
                outcome.store(0, .failure(error))
            }
        }
        pending = (group, outcome)
        return findings
    }

    /// Waits for the batch in the background, if any, and takes in its results.
    private func collect() throws(Ineligible) -> [Finding] {
        guard let pending else { return [] }
        self.pending = nil
        pending.group.wait()
        return try absorb(pending.outcome.take(0).get())
    }

    /// Ends the trace: decides every open window as it stands.
    package func finish() throws(Ineligible) -> [Finding] {
        var findings = try flush()
        let open = windows.keys.sorted().compactMap { group in windows[group]!.fresh > 0 || windows[group]!.events.count > 0 ? windows[group]!.events : nil }
        windows.removeAll()
        openEventCount = 0
        candidates.removeAll()
        candidateHead = 0
        windowCount += open.count
        // In batches, as closed windows are: one batch of every group would multiply their chains.
        for start in stride(from: 0, to: open.count, by: max(1, batchWindows)) {
            findings += try absorb(Self.decide(Array(open[start..<min(open.count, start + max(1, batchWindows))]), meta: meta, file: file, options: windowOptions))
        }
        return findings
    }

    /// A decided batch: its report and the last trace line in it.
    struct DecidedBatch: Sendable {
        var report: Report
        var endLine: Int
    }

    /// Verifies a batch of windows as one history (a pure function of its inputs, so it may run
    /// on another thread).
    private static func decide(_ batch: [[TraceEvent]], meta: TraceEvent?, file: String, options: VerifyOptions) throws(Ineligible) -> DecidedBatch? {
        var events = batch.flatMap { $0 }
        events.sort { $0.line < $1.line }
        guard let endLine = events.last?.line else { return nil }
        var builder = HistoryBuilder(files: [file])
        do throws(TraceError) {
            if let meta { try builder.add(meta) }
            for event in events { try builder.add(event) }
            let history = try builder.finish()
            return DecidedBatch(report: try Verifier(options: options).verify(history: history), endLine: endLine)
        } catch {
            throw Ineligible(reason: "a window does not verify on its own (\(error.message)): the whole history decides")
        }
    }

    /// Takes in a decided batch: each key's latest result, the groups some window did not find `holds`.
    private func absorb(_ decided: DecidedBatch?) -> [Finding] {
        guard let decided else { return [] }
        let (report, endLine) = (decided.report, decided.endLine)
        if let figures = report.statistics { statistics.addDecisions(of: figures) }
        var findings: [Finding] = []
        for result in report.keys {
            guard let group = result.group, let topic = result.topic, let partition = result.partition else { continue }
            let slot = KeyPropertySlot(key: PartitionKey(group: group, partition: TopicPartition(topic: topic, partition: partition)), property: result.property)
            // A window's `violated` is the whole trace's: a later window must not hide it (an
            // interrupted pass reports these results as they stand).
            if latest[slot]?.verdict != .violated || result.verdict == .violated { latest[slot] = result }
            if result.verdict != .holds {
                unsettledGroups.insert(group)
                findings.append(Finding(result: result, windowEndLine: endLine))
            }
        }
        return findings
    }
}

/// A group's open window: its events since the last cut, the commits carried across it first.
struct GroupWindow {
    var events: [TraceEvent] = []
    /// Events added since the window opened (carried ones not counted).
    var fresh = 0
    /// Events carried into the window when it opened.
    var carriedEvents = 0
    /// Commits without an ack and fetches without a response.
    var inFlight = 0
    /// Commits acked `unknown`: they may still apply at any later time, so no cut while one is here.
    var uncertain = 0
    var commits: [String: WindowCommit] = [:]
    var fetchIds: [String] = []
    var readKeys: Set<TopicPartition> = []
    /// `fresh` at which a cut is tried again after the last values were not determined.
    var retryAt = 0
    /// The largest `ts` in the window.
    var maxTs = Int.min
    /// Bumped by every event: tells a stale cut candidate from a current one.
    var generation = 0

    var isQuiescent: Bool { inFlight == 0 && uncertain == 0 }
    var openCommits: Int { commits.values.reduce(0) { $0 + ($1.ack == nil ? 1 : 0) } }

    mutating func add(_ event: consuming TraceEvent) {
        let index = events.count
        fresh += 1
        generation += 1
        if let ts = event.ts { maxTs = max(maxTs, ts) }
        switch event.kind {
        case .build, .send:
            let id = event.commit!
            if commits[id] == nil {
                commits[id] = WindowCommit()
                inFlight += 1
            }
            commits[id]!.events.append(index)
            if let offsets = event.offsets, commits[id]!.offsets.isEmpty { commits[id]!.offsets = offsets }
            if event.kind == .send { commits[id]!.send = index } else { commits[id]!.build = index }
        case .ack:
            let id = event.commit!
            commits[id]!.events.append(index)
            if commits[id]!.ack == nil {
                commits[id]!.ack = index
                inFlight -= 1
                if event.status == .unknown { uncertain += 1 }
            } else {
                // A second ack: bad input the window's verification reports; never cut here.
                inFlight += 1_000_000
            }
        case .apply:
            commits[event.commit!]!.events.append(index)
        case .fetch:
            fetchIds.append(event.fetch!)
            inFlight += 1
        case .fetched:
            inFlight -= 1
            for (partition, _) in event.offsets ?? [] { readKeys.insert(partition) }
        case .meta, .end, .ended, .completed:
            break
        }
        events.append(event)
    }

    /// The commits whose events carry each key's last value across a cut, or nil when some key's
    /// last value is not determined.
    ///
    /// A key's last value is determined when one certainly applied commit (an `ok` ack without an
    /// error for the key) was sent after every other applied commit of the key was acked: its
    /// apply point then follows all theirs in every schedule. A key read here that no commit
    /// applied to has the initial value, which is known only from `meta.initial`.
    func carriedCommits(initial: [TopicPartition: Int]) -> Set<String>? {
        var applied: [TopicPartition: [String]] = [:]
        for (id, commit) in commits {
            guard let ack = commit.ack else { return nil }
            let event = events[ack]
            guard event.status == .ok else { continue }
            for (partition, _) in commit.offsets where !(event.errors?.contains { $0.0 == partition } ?? false) {
                applied[partition, default: []].append(id)
            }
        }
        for partition in readKeys where applied[partition] == nil && initial[partition] == nil { return nil }
        var carried = Set<String>()
        for (_, ids) in applied {
            let last = ids.max { commits[$0]!.start < commits[$1]!.start }!
            let start = events[commits[last]!.start]
            for id in ids where id != last {
                let ack = events[commits[id]!.ack!]
                let before = ack.ts! < start.ts! || (ack.thread == start.thread && ack.line < start.line)
                if !before { return nil }
            }
            carried.insert(last)
        }
        return carried
    }

    /// The next window: the carried commits' events, in trace order.
    func carrying(_ carried: Set<String>) -> GroupWindow {
        var next = GroupWindow()
        let indices = carried.flatMap { commits[$0]!.events }.sorted()
        for index in indices { next.add(events[index]) }
        next.fresh = 0
        next.carriedEvents = indices.count
        next.generation += generation
        return next
    }
}

/// What a window knows of one commit: its events (indices into the window's events) and offsets.
struct WindowCommit {
    var events: [Int] = []
    var offsets: [(TopicPartition, Int)] = []
    var build: Int?
    var send: Int?
    var ack: Int?
    /// Where the request left the client: its send, or its build when it has none.
    var start: Int { send ?? build ?? events[0] }
}
