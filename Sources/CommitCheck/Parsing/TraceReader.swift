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
    /// Ctrl-C: reading stops at the next batch with a resource-limit error (nothing was decided).
    package var cancellation: Cancellation? = nil

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

    /// Throws a resource-limit error when the process uses more memory than the budget allows, or
    /// the run was cancelled (Ctrl-C).
    private func checkLimits(path: String, line: Int) throws(TraceError) {
        if let cancellation, cancellation.isCancelled {
            var error = TraceError(file: path, line: line, message: "\(cancellation.reason ?? "interrupted") while reading: nothing was decided")
            error.isResourceLimit = true
            throw error
        }
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
    package struct Document: Sendable {
        package var history: History
        package var firstLine: Int
    }

    /// Reads the files; a single file may hold several independent histories, each starting with a
    /// meta line (how `--counterexample` writes one minimal sub-trace per key).
    package func readDocuments(paths: [String]) throws(TraceError) -> [Document] {
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
                    try checkLimits(path: path, line: line.number)
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
    package static func nothingToCheck(_ documents: [Document], paths: [String]) -> String? {
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
/// `cat a.jsonl b.jsonl` reads exactly as `a.jsonl b.jsonl` do (specs/trace-format.md, "Several files, and `cat`").
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
