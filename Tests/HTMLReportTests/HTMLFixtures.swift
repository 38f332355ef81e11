import CommitCheckTestSupport
import Foundation
@testable import CommitCheck

/// Paths, processes and page inspection shared by the HTML report tests.
enum HTMLFixtures {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let histories = packageRoot.appendingPathComponent("histories")
    /// Where the tests leave the pages and screenshots they make, for people to look at.
    static let outputDirectory = packageRoot.appendingPathComponent(".build/html-report")

    /// Reads and verifies a history from `histories/`.
    static func verify(_ name: String) throws -> (History, Report) {
        let history = try TraceReader().read(paths: [histories.appendingPathComponent(name).path])
        return (history, try Verifier().verify(history: history))
    }

    /// Reads and verifies a history held in memory.
    static func verify(jsonl: String) throws -> (History, Report) {
        let history = try TraceReader().read(bytes: Array(jsonl.utf8), name: "inline.jsonl")
        return (history, try Verifier().verify(history: history))
    }

    /// Why a document is not well-formed XML (Python's expat parser), or nil when it is.
    ///
    /// Foundation's XMLParser on Linux accepts mismatched tags, so it cannot judge escaping.
    static func xmlProblem(_ document: String) throws -> String? {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("commitcheck-\(UUID().uuidString).xml")
        try document.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try run("/usr/bin/env", ["python3", "-c", "import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])", file.path], seconds: 60)
        return result.code == 0 ? nil : result.err.split(separator: "\n").last.map(String.init) ?? "exit \(result.code)"
    }

    /// The built `commitcheck` executable.
    static var executable: URL {
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("commitcheck"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("commitcheck"),
            packageRoot.appendingPathComponent(".build/debug/commitcheck"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates.last!
    }

    /// Runs a program from the package root within `seconds` (CommitCheckTestSupport's runner);
    /// returns code, stdout, stderr.
    static func run(_ program: String, _ arguments: [String], seconds: Int) throws -> (code: Int32, out: String, err: String) {
        let result = try ProcessRunner.run(program, arguments, directory: packageRoot, timeout: TimeInterval(seconds))
        return (result.status, result.out, result.err)
    }
}
