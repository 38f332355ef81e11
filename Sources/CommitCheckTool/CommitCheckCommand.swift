import ArgumentParser
import CommitCheck
import Foundation




@main
struct CommitCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commitcheck",
        abstract: "Prove or refute that a Kafka consumer group's committed offsets never go backwards.",
        subcommands: [VerifyCommand.self, RecordCommand.self, ProxyCommand.self, SimulateCommand.self, AnalyzeCommand.self, BenchCommand.self],
        defaultSubcommand: VerifyCommand.self
    )

    /// Runs the command, mapping usage errors to exit code 2 (DESIGN §5) instead of 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // --help, --version: the message is the output.
                let message = fullMessage(for: error)
                if !message.isEmpty { FileOutput.standardOutput(message + "\n") }
                Foundation.exit(code.rawValue)
            }
            if code.rawValue == CommitCheck.ExitCode.fail.rawValue || code.rawValue == CommitCheck.ExitCode.unknown.rawValue {
                Foundation.exit(code.rawValue)
            }
            let message = fullMessage(for: error)
            if !message.isEmpty { FileOutput.standardError(message + "\n") }
            if code == .validationFailure || code == .failure { Foundation.exit(CommitCheck.ExitCode.badInput.rawValue) }
            Foundation.exit(code.rawValue)
        }
    }
}
