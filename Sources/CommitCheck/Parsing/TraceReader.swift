import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one or more `commitcheck/1` files into a ``History``, enforcing the cross-line rules.
///
/// Several files are one history: a recorder per process writes one file each, and a proxy's wire
/// trace joins a client's trace through shared commit ids. Line numbers stay per file.
public struct TraceReader {
    /// Skip unknown `ev` values instead of failing (`--lenient`).
    public var lenient: Bool
    /// Stop reading files with a resource-limit error when the process's memory passes this.
    public var memoryBudget: MemoryBudget?
    /// Called after every batch of lines with the bytes read so far and the files' total size, so
    /// that a long run can show a sign of life (`verify` does on a terminal).
    public var progress: ((_ bytesRead: Int, _ totalBytes: Int) -> Void)? = nil

    public init(lenient: Bool = false, memoryBudget: MemoryBudget? = nil) {
        self.lenient = lenient
        self.memoryBudget = memoryBudget
    }

    /// Reads and validates a trace held in memory (tests, the simulator, the fuzzer, minimisation).
    public func read(bytes: [UInt8], name: String = "trace") throws(TraceError) -> History {
        var assembler = DocumentAssembler(paths: [name], lenient: lenient)
        var batch = LineBatch()
        var lineStart = 0
        var number = 0
        while lineStart < bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
            number += 1
            var first = lineStart, last = lineEnd
            if number == 1 && last - first >= 3 && bytes[first] == 0xEF && bytes[first + 1] == 0xBB && bytes[first + 2] == 0xBF { first += 3 }
            if last > first && bytes[last - 1] == 0x0D { last -= 1 }
            bytes.withUnsafeBufferPointer { all in
                batch.append(UnsafeBufferPointer(rebasing: all[first..<last]), number: number, terminated: lineEnd < bytes.count)
            }
            lineStart = lineEnd + 1
        }
        try assembler.take(batch, file: 0)
        let documents = try assembler.finish()
        if documents.count > 1 {
            throw TraceError(file: name, line: documents[1].firstLine, message: "this trace holds several histories (a meta line with a counterexample label starts each)")
        }
        return documents[0].history
    }

    /// Reads and validates the files as one history.
    public func read(paths: [String]) throws(TraceError) -> History {
        let documents = try readDocuments(paths: paths)
        if documents.count > 1 {
            throw TraceError(file: paths.first, line: documents[1].firstLine,
                             message: "this file holds several histories (a meta line with a counterexample label starts each); verify it on its own")
        }
        return documents[0].history
    }

    /// Throws a resource-limit error when the process uses more memory than the budget allows.
    private func checkMemory(path: String, line: Int) throws(TraceError) {
        guard let memoryBudget else { return }
        let resident = MemoryBudget.residentBytes()
        guard resident > memoryBudget.bytes else { return }
        var error = TraceError(file: path, line: line, message: """
            stopped reading: \(resident >> 20) MB of memory in use passes the limit of \(memoryBudget.bytes >> 20) MB \
            (a history takes about five times its file's size while it is checked); raise --max-memory, \
            or check the trace in parts (specs/scaling.md)
            """)
        error.isResourceLimit = true
        throw error
    }

    /// One history read from a file, and the line it starts on.
    public struct Document: Sendable {
        public var history: History
        public var firstLine: Int
    }

    /// Reads the files; a single file may hold several independent histories, each starting with a
    /// meta line (how `--counterexample` writes one minimal sub-trace per key).
    public func readDocuments(paths: [String]) throws(TraceError) -> [Document] {
        var assembler = DocumentAssembler(paths: paths, lenient: lenient)
        let progress = self.progress
        var totalBytes = 0
        if progress != nil {
            for path in paths {
                var status = stat()
                if stat(path, &status) == 0 { totalBytes += Int(status.st_size) }
            }
        }
        var bytesRead = 0
        for (fileIndex, path) in paths.enumerated() {
            var reader: LineReader
            do { reader = try LineReader(path: path) } catch {
                throw TraceError(file: path, line: 0, message: "cannot read: \(error.reason)")
            }
            defer { reader.closeFile() }
            // Trace lines run about 100 bytes: reserve once rather than regrow a large array.
            assembler.builder.events.reserveCapacity(assembler.builder.events.count + reader.fileSize / 90)
            var batch = LineBatch.reserved()
            var thrown: TraceError? = nil
            // Pipeline: batch k+1 decodes on the other cores while this thread builds the history
            // from batch k (building is sequential: commits refer to each other across lines).
            var inFlight: DecodingBatch? = nil
            let lenient = self.lenient
            let failure = reader.forEachLine { line in
                batch.append(line.bytes, number: line.number, terminated: line.terminated)
                guard batch.isFull else { return true }
                if let progress {
                    bytesRead += batch.bytes.count + batch.ranges.count
                    progress(bytesRead, totalBytes)
                }
                let next = DecodingBatch(batch, lenient: lenient)
                batch = LineBatch.reserved()
                defer { inFlight = next }
                guard let previous = inFlight else { return true }
                do throws(TraceError) {
                    try assembler.take(previous.wait(), of: previous.batch, file: fileIndex)
                    try checkMemory(path: path, line: line.number)
                } catch {
                    thrown = error
                    return false
                }
                return true
            }
            if let thrown { throw thrown }
            if let previous = inFlight { try assembler.take(previous.wait(), of: previous.batch, file: fileIndex) }
            switch failure {
            case .tooLong(let line)?:
                throw TraceError(file: path, line: line, message: "line longer than \(LineReader.maximumLineLength >> 20) MiB")
            case .read(let reason)?:
                throw TraceError(file: path, line: reader.lineNumber, message: "read error: \(reason)")
            case nil: break
            }
            try assembler.take(batch, file: fileIndex)
            if let progress {
                bytesRead += batch.bytes.count + batch.ranges.count
                progress(bytesRead, totalBytes)
            }
            assembler.endFile(fileIndex)
        }
        return try assembler.finish()
    }
}

extension TraceReader {
    /// Why a run over these histories would check nothing, or `nil` when some history holds a
    /// commit or a fetch.
    ///
    /// A trace with no commit and no fetch passes every property vacuously; in CI that is a green
    /// build that checked nothing (a recorder that saw no traffic, a proxy the clients bypassed).
    public static func nothingToCheck(_ documents: [Document], paths: [String]) -> String? {
        guard documents.allSatisfy({ $0.history.commits.isEmpty && $0.history.fetches.isEmpty }) else { return nil }
        return "nothing to check in \(paths.joined(separator: ", ")): no commit and no fetch was recorded "
            + "(a recorder that saw no traffic, or a proxy the clients bypassed: see proxy --rewrite-brokers); "
            + "--allow-empty accepts a history with nothing to check"
    }
}

/// Lines copied out of the reader's buffer, so that a batch can be decoded on several cores.
struct LineBatch {
    /// Lines per batch: big enough to amortise the hand-off, small enough to bound memory.
    static let capacity = 32_768
    var bytes: [UInt8] = []
    var ranges: [Range<Int>] = []
    var numbers: [Int] = []
    var terminated: [Bool] = []

    var isFull: Bool { ranges.count >= Self.capacity }

    /// An empty batch with room for a full one (trace lines run about 100 bytes), so that filling
    /// it never regrows and copies its arrays.
    static func reserved() -> LineBatch {
        var batch = LineBatch()
        batch.bytes.reserveCapacity(capacity * 112)
        batch.ranges.reserveCapacity(capacity)
        batch.numbers.reserveCapacity(capacity)
        batch.terminated.reserveCapacity(capacity)
        return batch
    }

    mutating func append(_ line: UnsafeBufferPointer<UInt8>, number: Int, terminated isTerminated: Bool) {
        let start = bytes.count
        bytes.append(contentsOf: line)
        ranges.append(start..<bytes.count)
        numbers.append(number)
        terminated.append(isTerminated)
    }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        ranges.removeAll(keepingCapacity: true)
        numbers.removeAll(keepingCapacity: true)
        terminated.removeAll(keepingCapacity: true)
    }

    /// What decoding one line gave.
    enum Decoded: Sendable {
        case blank
        case event(TraceEvent)
        case skipped
        case failed(TraceError)
    }

    /// Decodes every line, in parallel stripes: decoding is independent per line.
    func decode(lenient: Bool) -> DecodedSlots {
        let count = ranges.count
        let results = DecodedSlots(count: count)
        let stripes = count < 2_048 ? 1 : System.coreCount
        bytes.withUnsafeBufferPointer { all in
            let base = SharedBytes(buffer: all)
            DispatchQueue.concurrentPerform(iterations: stripes) { stripe in
                var index = stripe
                while index < count {
                    let line = UnsafeBufferPointer(rebasing: base.buffer[ranges[index]])
                    let decoded: Decoded
                    if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                        decoded = .blank
                    } else {
                        do throws(TraceError) {
                            if let event = try TraceEventDecoder.decode(line: line, lineNumber: numbers[index], lenient: lenient) {
                                decoded = .event(event)
                            } else {
                                decoded = .skipped
                            }
                        } catch {
                            decoded = .failed(error)
                        }
                    }
                    results.pointer[index] = decoded
                    index += stripes
                }
            }
        }
        return results
    }
}

/// A batch being decoded in the background.
final class DecodingBatch: @unchecked Sendable {
    let batch: LineBatch
    private var results: DecodedSlots?
    private let done = DispatchGroup()

    init(_ batch: LineBatch, lenient: Bool) {
        self.batch = batch
        done.enter()
        DispatchQueue.global().async {
            self.results = batch.decode(lenient: lenient)
            self.done.leave()
        }
    }

    func wait() -> DecodedSlots {
        done.wait()
        return results!
    }
}

/// Read-only bytes shared by the decoding stripes for the duration of one batch.
struct SharedBytes: @unchecked Sendable {
    let buffer: UnsafeBufferPointer<UInt8>
}

/// Per-line results written by parallel stripes, each into its own slots.
///
/// The assembler moves each result out (``take(_:)``) instead of copying the batch into an array:
/// a decoded event holds a dozen strings and arrays, and copying then freeing them was a tenth of
/// the time spent reading a trace.
final class DecodedSlots: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<LineBatch.Decoded>
    let count: Int
    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: .blank, count: count)
    }

    /// Moves result `index` out, leaving `.blank` (which owns nothing) in its place.
    func take(_ index: Int) -> LineBatch.Decoded {
        let decoded = (pointer + index).move()
        (pointer + index).initialize(to: .blank)
        return decoded
    }
    deinit {
        pointer.deinitialize(count: count)
        pointer.deallocate()
    }
}

/// Feeds decoded lines, in order, into histories: one for all the files, except that a meta line
/// labelled `counterexample` starts a history of its own (how `--counterexample` writes one
/// minimal sub-trace per key).
///
/// Any other meta line, wherever it comes, starts a new section of the same history: so
/// `cat a.jsonl b.jsonl` reads exactly as `a.jsonl b.jsonl` do (DESIGN §4).
struct DocumentAssembler {
    let paths: [String]
    let lenient: Bool
    var builder: HistoryBuilder
    var documents: [TraceReader.Document] = []
    var documentStart = 1
    var pendingCutOff: Int? = nil

    init(paths: [String], lenient: Bool) {
        self.paths = paths
        self.lenient = lenient
        builder = HistoryBuilder(files: paths)
    }

    mutating func take(_ batch: LineBatch, file: Int) throws(TraceError) {
        try take(batch.decode(lenient: lenient), of: batch, file: file)
    }

    mutating func take(_ results: DecodedSlots, of batch: LineBatch, file: Int) throws(TraceError) {
        let path = paths[file]
        for index in 0..<results.count {
            let number = batch.numbers[index]
            switch results.take(index) {
            case .blank: continue
            case .skipped: builder.warnings.append("\(path):\(number): unknown event skipped (--lenient)")
            case .failed(var error):
                error.file = path
                if !batch.terminated[index] && error.message.hasPrefix("invalid JSON") {
                    // A recorder that crashed mid-write leaves a cut-off last line.
                    pendingCutOff = number
                    continue
                }
                throw error
            case .event(var event):
                event.file = file
                do throws(TraceError) {
                    if event.kind == .meta, event.meta?.counterexample != nil, builder.hasContent {
                        documents.append(TraceReader.Document(history: try builder.finish(), firstLine: documentStart))
                        builder = HistoryBuilder(files: paths)
                        documentStart = number
                    }
                    try builder.add(consume event)
                } catch {
                    var error = error
                    error.file = path
                    throw error
                }
            }
        }
    }

    /// A file ends: report its cut-off last line, if any.
    mutating func endFile(_ file: Int) {
        reportCutOff(in: file)
    }

    /// A recorder that crashed mid-write leaves a cut-off last line: warn, and check the rest.
    private mutating func reportCutOff(in file: Int) {
        guard let cutOff = pendingCutOff else { return }
        builder.warnings.append("\(paths[file]):\(cutOff): last line is cut off (no line end, not valid JSON): ignored, the rest is checked")
        pendingCutOff = nil
    }

    mutating func finish() throws(TraceError) -> [TraceReader.Document] {
        reportCutOff(in: paths.count - 1)
        documents.append(TraceReader.Document(history: try builder.finish(), firstLine: documentStart))
        return documents
    }
}

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
        switch event.kind {
        case .meta:
            break
        case .build:
            let id = event.commit!
            if let existing = commitIndex[id] {
                if let first = commits[existing].build {
                    throw error(event, field: "commit", "second build of commit '\(id)' (first at \(place(first)))", related: [events[first].line])
                }
                // A send carrying offsets came first (merged traces): the build must agree with it.
                // Only an ack or apply came first: the build is where the offsets come from.
                try checkSameRequest(commits[existing], event)
                if commits[existing].offsets.isEmpty {
                    commits[existing].offsets = event.offsets!
                    commits[existing].group = event.group!
                }
                commits[existing].build = index
            } else {
                commitIndex[id] = commits.count
                var commit = Commit(id: id, group: event.group!, offsets: event.offsets!)
                commit.build = index
                commits.append(commit)
            }
        case .send:
            let position = commitSlot(for: event)
            if let first = commits[position].send {
                throw error(event, field: "commit", "second send of commit '\(event.commit!)' (first at \(place(first)))", related: [events[first].line])
            }
            if event.offsets != nil { try checkSameRequest(commits[position], event) }
            if commits[position].offsets.isEmpty, let offsets = event.offsets {
                commits[position].offsets = offsets
                commits[position].group = event.group!
            }
            commits[position].send = index
        case .ack:
            let position = commitSlot(for: event)
            if let first = commits[position].ack {
                throw error(event, field: "commit", "second ack of commit '\(event.commit!)' (first at \(place(first)))", related: [events[first].line])
            }
            commits[position].ack = index
        case .apply:
            let position = commitSlot(for: event)
            commits[position].applies.append(index)
        case .fetch:
            let id = event.fetch!
            if let existing = fetchIndex[id] {
                if let first = fetches[existing].fetch {
                    throw error(event, field: "fetch", "second fetch '\(id)' (first at \(place(first)))", related: [events[first].line])
                }
                fetches[existing].fetch = index
                fetches[existing].group = event.group!
                fetches[existing].partitions = event.partitions!
            } else {
                fetchIndex[id] = fetches.count
                var fetch = Fetch(id: id, group: event.group!, partitions: event.partitions!)
                fetch.fetch = index
                fetches.append(fetch)
            }
        case .fetched:
            let id = event.fetch!
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
            fetches[position].results = event.offsets ?? []
        }
        events.append(event)
    }

    /// The commit an event refers to, creating a placeholder when its build comes later (or never).
    private mutating func commitSlot(for event: TraceEvent) -> Int {
        let id = event.commit!
        if let existing = commitIndex[id] { return existing }
        commitIndex[id] = commits.count
        commits.append(Commit(id: id, group: event.group ?? "", offsets: []))
        return commits.count - 1
    }

    private func checkSameRequest(_ commit: Commit, _ event: TraceEvent) throws(TraceError) {
        guard !commit.offsets.isEmpty, let offsets = event.offsets else { return }
        let same = commit.group == event.group
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
            guard let ack = commit.ack, events[ack].status == .fail, let apply = commit.applies.first else { continue }
            throw error(events[apply], "commit '\(commit.id)' is observed applied here but its ack at \(place(ack)) says it failed",
                        related: [events[ack].line])
        }
        for fetch in fetches where fetch.fetch == nil {
            throw error(events[fetch.fetched!], field: "fetch", "response to fetch '\(fetch.id)', which was never issued")
        }
        return History(files: files, meta: meta ?? TraceMeta(), events: events, commits: commits,
                       commitIndex: commitIndex, fetches: fetches, warnings: warnings)
    }
}
