import Foundation
import Testing
import Workloads
@testable import CommitCheck

/// The fast line decoder must never disagree with the general one: whatever it returns, the general
/// path returns too, field for field; everything else it leaves to the general path.
@Suite struct FastLineDecoderTests {
    static func same(_ a: TraceEvent, _ b: TraceEvent) -> Bool {
        func pairs<T: Equatable>(_ x: [(TopicPartition, T)]?, _ y: [(TopicPartition, T)]?) -> Bool {
            guard let x, let y else { return x == nil && y == nil }
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        }
        return a.kind == b.kind && a.line == b.line && a.proc == b.proc && a.thread == b.thread && a.ts == b.ts
            && a.commit == b.commit && a.fetch == b.fetch && a.group == b.group && pairs(a.offsets, b.offsets)
            && a.conn == b.conn && a.status == b.status && pairs(a.errors, b.errors) && a.partitions == b.partitions
            && a.generation == b.generation && a.member == b.member && a.meta == b.meta
    }

    /// Checks one line; returns whether the fast path took it.
    @discardableResult
    static func check(_ line: [UInt8]) -> Bool {
        line.withUnsafeBufferPointer { bytes in
            guard let fast = FastLineDecoder.decode(bytes, lineNumber: 7) else { return false }
            let general: TraceEvent?
            do throws(TraceError) {
                general = try TraceEventDecoder.decodeInGeneral(line: bytes, lineNumber: 7, lenient: false)
            } catch {
                Issue.record("fast path accepted a line the general path rejects (\(error)): \(String(decoding: line, as: UTF8.self))")
                return true
            }
            #expect(general.map { same(fast, $0) } == true, "\(String(decoding: line, as: UTF8.self))")
            return true
        }
    }

    /// Valid lines of every kind: the shipped histories, generated traces, and hand-written shapes.
    static func corpus() throws -> [[UInt8]] {
        var lines: [[UInt8]] = []
        let folder = Fixtures.histories
        let files = try FileManager.default.subpathsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".jsonl") }
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            lines += text.split(separator: "\n").map { Array($0.utf8) }
        }
        for shape in [SyntheticTrace(events: 3_000), SyntheticTrace(events: 3_000, connectionFIFO: true, overlap: 4, timestamps: false)] {
            shape.generate { chunk in lines += chunk.split(separator: "\n").map { Array($0.utf8) } }
        }
        let handWritten = [
            #"{"ev":"ack","proc":"p","commit":"c","status":"ok","errors":{"t/1":"NOT_COORDINATOR","t/007":"X"}}"#,
            #"{"ev":"fetch","proc":"p","fetch":"f","group":"g","partitions":["t/0","t/0","a/b/3"]}"#,
            #"{"ev":"fetched","proc":"p","fetch":"f","offsets":{"t/0":-1,"t/1":0}}"#,
            #"{ "ev" : "send" , "proc":"p","thread":"T","ts":-5,"commit":"c","conn":"k","group":"g","offsets":{ "t/2" : 3 } }"#,
            #"{"ev":"build","proc":"p","commit":"c","group":"g","offsets":{},"generation":3,"member":"m"}"#,
            #"{"ev":"apply","proc":"broker","commit":"c","offsets":{"t/0":-9}}"#,
            #"{"ev":"build","proc":"p","commit":"c","group":"g","offsets":{"t/0":1},"status":5}"#,
            #"{"proc":"p","ev":"ack","commit":"c","status":"maybe"}"#,
        ]
        lines += handWritten.map { Array($0.utf8) }
        return lines
    }

    @Test func everyValidLineDecodesTheSameOnBothPaths() throws {
        let lines = try Self.corpus()
        var fast = 0
        for line in lines where Self.check(line) { fast += 1 }
        // The point of the fast path: it takes the common lines.
        #expect(Double(fast) > Double(lines.count) * 0.9, "fast path took \(fast) of \(lines.count)")
    }

    @Test func mutatedLinesNeverMakeThePathsDisagree() throws {
        let lines = try Self.corpus()
        var generator = SplitMix64(seed: 8)
        let interesting: [UInt8] = Array(#"{}[],:"\/-0123456789.eE nul"#.utf8) + [0x00, 0x09, 0x0D, 0x80, 0xC3, 0xFF]
        let digits = Array("98765432109876543210".utf8)
        var fast = 0
        for _ in 0..<60_000 {
            var line = lines[Int(generator.next() % UInt64(lines.count))]
            for _ in 0...(generator.next() % 3) where !line.isEmpty {
                let position = Int(generator.next() % UInt64(line.count))
                switch generator.next() % 4 {
                case 0: line[position] = interesting[Int(generator.next() % UInt64(interesting.count))]
                case 1: line.remove(at: position)
                case 2:
                    if generator.next() % 4 == 0 {
                        line.insert(contentsOf: digits, at: position)  // long numbers: overflow must not trap
                    } else {
                        line.insert(interesting[Int(generator.next() % UInt64(interesting.count))], at: position)
                    }
                default:
                    let end = min(line.count, position + Int(generator.next() % 12))
                    line.insert(contentsOf: line[position..<end], at: position)
                }
            }
            if Self.check(line) { fast += 1 }
        }
        #expect(fast > 1_000, "mutants that stay valid must exercise the fast path too")
    }

    @Test func linesOutsideTheSubsetGoToTheGeneralPath() {
        let general = [
            #"{"ev":"build","proc":"p\u0041","commit":"c","group":"g","offsets":{"t/0":1}}"#,    // escape
            #"{"ev":"build","proc":"p","commit":"c","group":"g","offsets":{"t/0":1},"x":1}"#,   // unknown field
            #"{"ev":"build","proc":"p","commit":"c","group":"g","offsets":{"t/+0":1}}"#,        // Int("+0") is 0
            #"{"ev":"build","proc":"p","commit":"c","group":"g","offsets":{"t/0":1.0}}"#,       // a fraction
            #"{"ev":"build","proc":"p","thread":null,"commit":"c","group":"g","offsets":{"t/0":1}}"#,
            #"{"ev":"meta","format":"commitcheck/1"}"#,
            #"{"ev":"build","proc":"p","ts":123456789012345678901234567890,"commit":"c","group":"g","offsets":{"t/0":1}}"#,
            #"{"ev":"build","proc":"p","commit":"c","group":"g","offsets":{"t/99999999999999999999999":1}}"#,
            #"{"ev":"send","proc":"p","commit":"c","commit":"d"}"#,                            // duplicate
            #"{"ev":"build","proc":"ü","commit":"c","group":"g","offsets":{"t/0":1}}"#,          // non-ASCII
        ]
        for line in general {
            let bytes = Array(line.utf8)
            #expect(bytes.withUnsafeBufferPointer { FastLineDecoder.decode($0, lineNumber: 1) } == nil, "\(line)")
        }
    }
}
