import ArgumentParser
import CommitCheck
import Foundation

@main
struct CommitCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commitcheck",
        abstract: "Prove or refute that a Kafka consumer group's committed offsets never go backwards.",
        version: ToolVersion.version,
        subcommands: [VerifyCommand.self, MergeCommand.self, RecordCommand.self, ProxyCommand.self, SimulateCommand.self,
                      AnalyzeCommand.self, BenchCommand.self],
        defaultSubcommand: VerifyCommand.self
    )

    /// Runs the command, mapping usage errors to exit code 2 (specs/verdicts.md, "Exit codes") instead of 64.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        // `verify` is the default subcommand, so a mistyped subcommand would be read as a trace file.
        if let first = arguments.first,
           let suggestion = SubcommandSuggestion.suggest(for: first, among: configuration.subcommands.map { $0._commandName },
                                                         isFile: FileManager.default.fileExists(atPath: first)) {
            FileOutput.standardError("error: '\(first)' is neither a subcommand nor a file; did you mean `\(suggestion)`?\n")
            Foundation.exit(ExitStatus.badInput.rawValue)
        }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // --help, --version, --generate-completion-script: the message is the output.
                let message = fullMessage(for: error)
                if !message.isEmpty { FileOutput.standardOutput(message + "\n") }
                Foundation.exit(code.rawValue)
            }
            if code.rawValue == ExitStatus.fail.rawValue || code.rawValue == ExitStatus.unknown.rawValue {
                Foundation.exit(code.rawValue)
            }
            let message = fullMessage(for: error)
            if !message.isEmpty { FileOutput.standardError(message + "\n") }
            if code == .validationFailure || code == .failure { Foundation.exit(ExitStatus.badInput.rawValue) }
            Foundation.exit(code.rawValue)
        }
    }
}

/// "Did you mean `verify`?" for a first argument that is neither a file nor a subcommand.
enum SubcommandSuggestion {
    /// The subcommand `argument` is most likely a typo of, if it is close to one (at most two edits,
    /// fewer than half its length) and names no file; `nil` otherwise.
    static func suggest(for argument: String, among names: [String], isFile: Bool) -> String? {
        guard !isFile, !argument.hasPrefix("-"), !names.contains(argument), !argument.contains("/") else { return nil }
        let lowered = argument.lowercased()
        let scored = names.map { ($0, editDistance(lowered, $0)) }.min { $0.1 < $1.1 }
        guard let (name, distance) = scored, distance <= 2, distance * 2 < max(argument.count, 2) else { return nil }
        return name
    }

    /// Levenshtein distance, with a transposition of neighbours counting as one edit.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var table = Array(repeating: Array(repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { table[i][0] = i }
        for j in 0...y.count { table[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1) }
            }
        }
        return table[x.count][y.count]
    }
}
