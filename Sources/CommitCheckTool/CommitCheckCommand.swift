import ArgumentParser
import CommitCheck

@main
struct CommitCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commitcheck",
        abstract: "Prove or refute that a Kafka consumer group's committed offsets never go backwards."
    )
}
