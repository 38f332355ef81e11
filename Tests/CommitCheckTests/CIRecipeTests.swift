import CommitCheckTestSupport
import Foundation
import Testing
@testable import CommitCheck

/// The CI recipes of docs/ci.md, run as written against the release archive and Tansu.
///
/// `scripts/check-ci-recipe` does the work (it extracts the shell between the recipe markers and
/// runs it twice per recipe: commits in order must pass the gate, a commit going backwards must
/// fail it). It needs the archive of this version, which `scripts/release` builds (`.ci/run` does
/// before `swift test`); on a plain `swift test` without it the test is skipped, saying so.
@Suite struct CIRecipeTests {
    static let archive = PackagePaths.root
        .appendingPathComponent(".build/release-archive/commitcheck-\(ToolVersion.version)-linux-x86_64.tar.gz")
    static let archiveBuilt = FileManager.default.fileExists(atPath: archive.path)

    @Test(.enabled(if: archiveBuilt, "no release archive at .build/release-archive: run scripts/release to build it and test docs/ci.md's recipes"))
    func recipesInTheDocsRunAsWritten() throws {
        let result = try ProcessRunner.run(PackagePaths.root.appendingPathComponent("scripts/check-ci-recipe"),
                                           [Self.archive.path], timeout: 900)
        #expect(result.status == 0, "\(result)")
        // Four runs: two recipes, each with commits in order and with one going backwards.
        #expect(result.err.contains("passed: 4 runs of the recipes in docs/ci.md"), "\(result)")
    }

    /// The markers the script looks for are in the document: two recipes, each opened and closed.
    @Test func docsHoldTwoMarkedRecipes() throws {
        let text = try String(contentsOf: PackagePaths.root.appendingPathComponent("docs/ci.md"), encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.filter { $0 == "# commitcheck-ci:begin" }.count == 2)
        #expect(lines.filter { $0 == "# commitcheck-ci:end" }.count == 2)
        // The recipes pin the version this build is, so following the docs fetches this archive.
        #expect(text.components(separatedBy: "COMMITCHECK_VERSION: \"\(ToolVersion.version)\"").count == 3,
                "docs/ci.md's jobs must set COMMITCHECK_VERSION to \(ToolVersion.version)")
        // And so does the README's install section.
        let readme = try String(contentsOf: PackagePaths.root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("    VERSION=\(ToolVersion.version)\n"), "README.md's install section must set VERSION=\(ToolVersion.version)")
    }
}
