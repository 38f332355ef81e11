import Foundation

/// Where the package and its built `commitcheck` are, found from this file.
///
/// Tests run from any working directory (Xcode, `swift test` in a subfolder, CI), so every path
/// they use starts at the package root rather than at the current directory.
public enum PackagePaths {
    /// The package root: the folder holding Package.swift.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The traces with expected verdicts (`histories/`).
    public static let histories = root.appendingPathComponent("histories")

    /// The built `commitcheck` executable: beside the test bundle, or in `.build/debug`.
    ///
    /// `swift test` builds it with the tests (the test targets depend on the tool), so the first
    /// candidate that is executable is the one of this build.
    public static var commitcheck: URL {
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("commitcheck"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("commitcheck"),
            root.appendingPathComponent(".build/debug/commitcheck"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates.last!
    }

    /// A fresh, empty temporary folder whose name starts with `prefix`.
    public static func temporaryDirectory(_ prefix: String = "commitcheck-tests") throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}
