/// The tool's name and version, written once: what `--version`, the reports and the release archive say.
///
/// `commitcheck --version` prints ``version``, every JSON report carries both under `tool` (so a
/// stored report says which build judged it), and `scripts/release` names its archive after the
/// version the built binary prints. Bump it here and nowhere else.
package enum ToolVersion {
    /// The name reports and the release archive use.
    package static let name = "commitcheck"
    /// The release version, `MAJOR.MINOR.PATCH` (semantic versioning).
    package static let version = "0.1.0"
}
