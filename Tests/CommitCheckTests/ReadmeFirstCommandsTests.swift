import CommitCheckTestSupport
import Foundation
import Testing

/// The README's first command block works when pasted on a fresh machine as it is.
@Suite struct ReadmeFirstCommandsTests {
    /// The indented command lines of the README's "Two commands" section, comments removed.
    static func firstCommands() throws -> [String] {
        let readme = try String(contentsOf: PackagePaths.root.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex(of: "## Two commands"), "README has no \"Two commands\" section")
        let section = lines[(start + 1)...].prefix { !$0.hasPrefix("## ") }
        return section.filter { $0.hasPrefix("    ") }.map { line in
            let command = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
            return command.trimmingCharacters(in: .whitespaces)
        }
    }

    @Test func theZ3LibraryIsInstalledInTheBlockItself() throws {
        // Issue 30 item 4: `swift run` fails to link without libz3-dev, so the block a new user
        // pastes installs it first, as a command line of its own.
        let commands = try Self.firstCommands()
        let install = try #require(commands.firstIndex(of: "apt-get install -y libz3-dev"), "\(commands)")
        let run = try #require(commands.firstIndex { $0.hasPrefix("swift run commitcheck") }, "\(commands)")
        #expect(install < run)
        #expect(commands.contains("swift test"))
    }
}
