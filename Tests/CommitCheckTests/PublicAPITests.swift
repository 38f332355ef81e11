import Foundation
import Testing

/// The public API of the checker and the trace format is the list in docs/api.md, and nothing else.
///
/// Every `public` declaration in Sources/CommitCheck and Sources/TraceFormat must be listed there,
/// and every listed one must exist, so the surface cannot grow (or shrink) by accident: a change
/// to it is a change to the document, reviewed as such. What sibling targets share is `package`.
@Suite struct PublicAPITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let modules = ["TraceFormat", "CommitCheck"]

    @Test func publicDeclarationsAreTheDocumentedOnes() throws {
        let found = try Self.publicDeclarations()
        let documented = try Self.documentedDeclarations()
        let added = found.subtracting(documented).sorted()
        let removed = documented.subtracting(found).sorted()
        #expect(added.isEmpty, "public but not in docs/api.md (make it package or internal, or document it):\n\(added.joined(separator: "\n"))")
        #expect(removed.isEmpty, "in docs/api.md but not public in the sources:\n\(removed.joined(separator: "\n"))")
        // The scan itself must see the API: a broken pattern would pass with two empty sets.
        #expect(found.contains("CommitCheck/Verifier.swift: public struct Verifier: Sendable"))
        #expect(found.count > 30)
    }

    /// `Module/File.swift: declaration` for every line that declares something `public`.
    static func publicDeclarations() throws -> Set<String> {
        var result = Set<String>()
        for module in modules {
            let folder = root.appendingPathComponent("Sources/\(module)")
            guard let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { continue }
            for case let file as URL in files where file.pathExtension == "swift" {
                let text = try String(contentsOf: file, encoding: .utf8)
                for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                    guard let declaration = declaration(in: String(line)) else { continue }
                    let relative = file.path.replacingOccurrences(of: folder.path + "/", with: "")
                    result.insert("\(module)/\(relative): \(declaration)")
                }
            }
        }
        return result
    }

    /// The declaration head of a `public` line: attributes dropped, the body and initial value cut.
    static func declaration(in line: String) -> String? {
        var text = line.trimmingCharacters(in: .whitespaces)
        while text.hasPrefix("@") {
            guard let space = text.firstIndex(of: " ") else { return nil }
            text = String(text[text.index(after: space)...])
        }
        guard text.hasPrefix("public ") else { return nil }
        // Cut at the first ` {` or ` = ` outside parentheses and brackets (default arguments stay).
        var depth = 0
        var cut = text.endIndex
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if "([".contains(character) { depth += 1 }
            if ")]".contains(character) { depth -= 1 }
            if depth == 0 && character == " " {
                let rest = text[index...]
                if rest.hasPrefix(" {") || rest.hasPrefix(" = ") {
                    cut = index
                    break
                }
            }
            index = text.index(after: index)
        }
        return String(text[..<cut])
    }

    /// The lines of the fenced `text` block under "## The list" in docs/api.md.
    static func documentedDeclarations() throws -> Set<String> {
        let text = try String(contentsOf: root.appendingPathComponent("docs/api.md"), encoding: .utf8)
        guard let heading = text.range(of: "## The list") else { return [] }
        let after = text[heading.upperBound...]
        guard let open = after.range(of: "```text\n"), let close = after[open.upperBound...].range(of: "\n```") else { return [] }
        return Set(after[open.upperBound..<close.lowerBound].split(separator: "\n").map(String.init))
    }
}
