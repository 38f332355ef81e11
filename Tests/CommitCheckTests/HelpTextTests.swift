import ArgumentParser
import CommitCheckTestSupport
import Foundation
import Testing
@testable import CommitCheckTool

/// Every `--help` reads as prose at 80 columns: argument-parser wraps it, nothing else breaks it.
///
/// Issue 30 item 6: discussion strings carried hard line breaks that argument-parser wrapped
/// again, so `analyze --help` broke sentences in the middle ("verify" at the end of one line,
/// "every trace" alone on the next). The check below finds any break the wrapper did not make.
@Suite struct HelpTextTests {
    static let width = 80

    /// `commitcheck --help` and every subcommand's, as `[name] --help` arguments.
    static var helpCommands: [[String]] {
        [["--help"]] + CommitCheckCommand.configuration.subcommands.map { [$0._commandName, "--help"] }
    }

    /// Runs `commitcheck` with COLUMNS set, as a terminal of that width would.
    static func help(_ arguments: [String], columns: Int = width) throws -> ProcessResult {
        var environment = ProcessInfo.processInfo.environment
        environment["COLUMNS"] = String(columns)
        return try ProcessRunner.run(PackagePaths.commitcheck, arguments, environment: environment, timeout: 120)
    }

    /// Lines of a help text that break where a greedy wrapper to `width` would not have broken.
    ///
    /// A greedy wrapper moves a word to the next line only when it does not fit on this one. So in
    /// a run of prose lines (the same indentation, no column gap of two spaces inside, not an
    /// option or list item), when the next line's first word would have fitted after this line,
    /// the break was written into the text: a sentence broken in the middle. A line ending in ':'
    /// (a lead-in to a list or an example) may end short. One column of slack covers a wrapper
    /// that keeps the last column free.
    static func earlyBreaks(in text: String, width: Int) -> [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func indent(_ line: String) -> Int { line.prefix { $0 == " " }.count }
        /// A line of running text, as opposed to a blank line, a table row or an option/list entry.
        func isProse(_ line: String) -> Bool {
            let body = line.drop { $0 == " " }
            guard !body.isEmpty, !body.hasPrefix("-") else { return false }
            return !body.trimmingCharacters(in: .whitespaces).contains("  ")
        }
        var found: [String] = []
        for (first, second) in zip(lines, lines.dropFirst()) {
            guard isProse(first), isProse(second), indent(first) == indent(second) else { continue }
            let ending = first.trimmingCharacters(in: .whitespaces)
            if ending.hasSuffix(":") { continue }
            let nextWord = second.drop { $0 == " " }.prefix { $0 != " " }
            let trimmedLength = first.reversed().drop { $0 == " " }.count
            if trimmedLength + 1 + nextWord.count < width - 1 {
                found.append("\(first)⏎\n\(second)")
            }
        }
        return found
    }

    @Test func theCheckFindsABrokenSentenceAndPassesWrappedOnes() {
        // The shape of the bug: a hard break inside a paragraph, then the wrapper's own breaks.
        // (`analyze --help` at 80 columns before the fix: a source line of 97 wrapped again.)
        let broken = """
        Without trace files: simulate every combination of the lists below with --seeds
        runs each, verify
        every trace, and report per cell the share of runs whose committed offset
        really went back at
        the simulated broker.
        """
        #expect(Self.earlyBreaks(in: broken, width: 80).count == 2)
        let wrapped = "Without trace files: simulate every combination of the lists below with --seeds\nruns each, verify every trace."
        #expect(Self.earlyBreaks(in: wrapped, width: 80).isEmpty)
        // Option rows and their indented continuations are not one paragraph.
        let options = "  --lenient               Skip unknown event kinds.\n  --explain               For keys that hold."
        #expect(Self.earlyBreaks(in: options, width: 80).isEmpty)
        #expect(Self.earlyBreaks(in: "Exit codes:\n0 every key holds.", width: 80).isEmpty)
    }

    @Test(arguments: helpCommands)
    func helpFitsEightyColumnsWithoutBrokenSentences(_ arguments: [String]) throws {
        let run = try Self.help(arguments)
        #expect(run.status == 0, "\(arguments): \(run.err)")
        let text = run.out
        #expect(text.contains("USAGE:"), "\(arguments): \(text)")
        for line in text.split(separator: "\n") where line.count > Self.width {
            Issue.record("\(arguments.joined(separator: " ")): line of \(line.count) columns: \(line)")
        }
        for place in Self.earlyBreaks(in: text, width: Self.width) {
            Issue.record("\(arguments.joined(separator: " ")): sentence broken mid-way:\n\(place)")
        }
    }

    @Test func discussionParagraphsAreSingleLinesInTheSource() throws {
        // The wrapper can only wrap well what is one line per paragraph: a hard break inside a
        // paragraph shows up at some width even when it happens to fit at 80.
        for command in CommitCheckCommand.configuration.subcommands {
            let discussion = command.configuration.discussion
            for paragraph in discussion.components(separatedBy: "\n\n") {
                let lines = paragraph.split(separator: "\n")
                // Indented lines are examples, kept as they are written.
                let prose = lines.filter { !$0.hasPrefix(" ") }
                #expect(prose.count <= 1, "\(command._commandName): a paragraph of \(prose.count) lines:\n\(paragraph)")
            }
        }
    }

    @Test(arguments: helpCommands)
    func helpWrapsToOtherWidthsToo(_ arguments: [String]) throws {
        // A hard break that happens to fall where the wrapper breaks at 80 shows at other widths.
        for columns in [60, 120] {
            let run = try Self.help(arguments, columns: columns)
            #expect(run.status == 0)
            for place in Self.earlyBreaks(in: run.out, width: columns) {
                Issue.record("\(arguments.joined(separator: " ")) at \(columns) columns: sentence broken mid-way:\n\(place)")
            }
        }
    }
}
