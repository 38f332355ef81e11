import CommitCheckTestSupport
import Foundation
import Testing

/// Porcupine's labelled Jepsen etcd histories, read in place from `../shared/peer-histories/`.
///
/// CI and the project's own machines have the folder beside the clone; a user's clone does not,
/// and there the tests that need it are skipped with the folder named (docs/registers.md) instead of
/// failing on a count of zero files.
enum PeerData {
    /// `../shared/peer-histories/porcupine-etcd`, relative to the package root.
    static let etcdDirectory = PackagePaths.root.deletingLastPathComponent().appendingPathComponent("shared/peer-histories/porcupine-etcd")

    /// Whether the labelled etcd histories are there (their `EXPECTED.tsv`).
    static var available: Bool {
        FileManager.default.fileExists(atPath: etcdDirectory.appendingPathComponent("EXPECTED.tsv").path)
    }

    /// Why a test is skipped, naming the folder it looked for.
    static var skipReason: Comment {
        Comment(rawValue: "needs ../shared/peer-histories/porcupine-etcd (looked at \(etcdDirectory.standardized.path); not in a user's clone)")
    }

    /// The labelled histories: file name and whether Porcupine's tests call it linearizable.
    static let expected: [(file: String, linearizable: Bool)] = {
        guard let text = try? String(contentsOf: etcdDirectory.appendingPathComponent("EXPECTED.tsv"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t")
            guard fields.count == 2 else { return nil }
            return (String(fields[0]), fields[1] == "linearizable")
        }
    }()
}
