import Foundation
import Testing
@testable import CommitCheck

/// The report as a person meets it: opened in Chromium by Playwright (Browser/check_page.py), on the
/// seed story, a recorded racy trace and a synthetic 100k-event trace.
///
/// For each page: the evidence of every bad key lies inside the first viewport (1400x900) of its
/// section, no two labels overlap, every in-page link has its target, zoom and "fit all" change the
/// visible range, hovering an event of the evidence shows its JSON line, the verdict filter works, the
/// page loads nothing and throws no script error. Screenshots stay in `.build/html-report/`.
@Suite(.serialized) struct BrowserChecksTests {
    /// The test environment's Python, which has Playwright (scripts/python-env).
    static let python: String? = try? {
        let result = try HTMLFixtures.run(HTMLFixtures.packageRoot.appendingPathComponent("scripts/python-env").path, [], seconds: 1500)
        return result.code == 0 ? result.out.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }()

    /// Writes a report's page where people can look at it, and measures it in the browser.
    static func check(history: History, report: Report, name: String) throws -> [String: Any] {
        try FileManager.default.createDirectory(at: HTMLFixtures.outputDirectory, withIntermediateDirectories: true)
        let page = HTMLFixtures.outputDirectory.appendingPathComponent("\(name).html")
        try HTMLReporter.render(history: history, report: report).write(to: page, atomically: true, encoding: .utf8)
        let screenshot = HTMLFixtures.outputDirectory.appendingPathComponent("\(name).png")
        let python = try #require(Self.python, "scripts/python-env gave no Python")
        let chromium = try #require(ChromiumRenderingTests.chromium, "scripts/chromium found no Chromium")
        let script = HTMLFixtures.packageRoot.appendingPathComponent("Tests/HTMLReportTests/Browser/check_page.py").path
        let result = try HTMLFixtures.run(python, [script, chromium, page.path, screenshot.path], seconds: 300)
        #expect(result.code == 0, "check_page.py: \(result.err.suffix(3000))")
        let object = try JSONSerialization.jsonObject(with: Data(result.out.utf8))
        return try #require(object as? [String: Any], "check_page.py printed \(result.out.prefix(500))")
    }

    /// What every page must satisfy.
    static func expectReadable(_ checks: [String: Any], report: Report, name: String) throws {
        #expect((checks["errors"] as? [Any])?.isEmpty == true, "\(name): script errors \(checks["errors"] ?? "")")
        #expect((checks["externalRequests"] as? [Any])?.isEmpty == true, "\(name): requests \(checks["externalRequests"] ?? "")")
        let bad = report.keys.filter { $0.verdict != .holds && $0.counterexample != nil }
        let figures = try #require(checks["figures"] as? [String])
        #expect(figures.count == min(bad.count, HTMLReporter.figureLimit), "\(name): one figure per bad key")
        for evidence in try #require(checks["evidence"] as? [[String: Any]]) {
            let section = evidence["section"] as? String ?? "?"
            #expect((evidence["marks"] as? Int ?? 0) >= 2, "\(name) \(section): evidence marks drawn")
            #expect((evidence["outside"] as? [String])?.isEmpty == true, "\(name) \(section): evidence outside the first viewport: \(evidence["outside"] ?? "")")
            #expect((evidence["ticksInView"] as? Int ?? 0) >= 2, "\(name) \(section): a readable time axis")
            // Each lane's label is its distinguishing part: distinct, and the end of its full name.
            let shown = try #require(evidence["lanes"] as? [String]), full = try #require(evidence["laneNames"] as? [String])
            #expect(shown.count == full.count && Set(shown).count == shown.count, "\(name) \(section): lanes \(shown)")
            for (label, lane) in zip(shown, full) {
                #expect(lane.hasSuffix(label.hasPrefix("\u{2026}") ? String(label.dropFirst()) : label), "\(name): \(label) names \(lane)")
            }
        }
        let labels = try #require(checks["labels"] as? [String: Any])
        #expect(labels["count"] as? Int == 0, "\(name): overlapping labels \(labels["overlaps"] ?? "")")
        #expect((labels["labels"] as? Int ?? 0) > 5, "\(name): labels drawn")
        if let afterFit = checks["labelsAfterFitAll"] as? [String: Any] {
            #expect(afterFit["count"] as? Int == 0, "\(name): overlapping labels after fit all \(afterFit["overlaps"] ?? "")")
        }
        let links = try #require(checks["links"] as? [String: Any])
        #expect(links["deadCount"] as? Int == 0, "\(name): dead links \(links["dead"] ?? "")")
        #expect((links["links"] as? Int ?? 0) >= report.keys.count, "\(name): a link per key")
        if !figures.isEmpty {
            let views = try #require(checks["views"] as? [String: [Double]])
            func span(_ name: String) -> Double { (views[name]?[1] ?? 0) - (views[name]?[0] ?? 0) }
            #expect(span("zoomIn") < span("initial") - 1e-6, "\(name): zoom in narrows the range \(views)")
            #expect(span("fitAll") > span("zoomIn") + 1e-6, "\(name): fit all widens it \(views)")
            #expect(views["wheel"] != views["fitAll"], "\(name): the wheel zooms \(views)")
            #expect(views["fitEvidence"] == views["initial"], "\(name): fit evidence returns to the first view \(views)")
            #expect((views["pan"]?[0] ?? 0) > (views["fitEvidence"]?[0] ?? 0), "\(name): the arrow key pans \(views)")
            let hover = try #require(checks["hover"] as? [String: String], "\(name): an evidence event to hover")
            let details = hover["details"] ?? ""
            #expect(details.contains("\"ev\":") && details.contains("\"orig_line\":"), "\(name): hover shows the JSON line: \(details)")
            #expect(details.contains("line ") || details.contains(".jsonl:"), "\(name): hover shows the location: \(details)")
        }
        let rows = try #require(checks["filter"] as? [[Any]])
        let visible = rows.filter { $0[1] as? Bool == true }
        #expect(visible.allSatisfy { $0[0] as? String == "holds" })
        #expect(visible.count == report.keys.filter { $0.verdict == .holds }.count, "\(name): the verdict filter")
    }

    @Test(.timeLimit(.minutes(30))) func seedStory() throws {
        let (history, report) = try HTMLFixtures.verify("sarama-2940-seed.jsonl")
        let checks = try Self.check(history: history, report: report, name: "browser-seed")
        try Self.expectReadable(checks, report: report, name: "seed")
        let first = try #require((checks["evidence"] as? [[String: Any]])?.first)
        #expect(first["arrow"] as? Bool == true, "the regression arrow")
    }

    /// The recorded kafka-python trace of issue 15: lanes that shared a long prefix, a regression far
    /// into the trace, long commit ids.
    @Test(.timeLimit(.minutes(30))) func recordedRacyTrace() throws {
        let (history, report) = try HTMLFixtures.verify("recorded/kafka-python-racy.jsonl")
        #expect(report.keys.contains { $0.verdict != .holds }, "the racy trace has bad keys")
        let checks = try Self.check(history: history, report: report, name: "browser-kafka-python-racy")
        try Self.expectReadable(checks, report: report, name: "racy")
        for evidence in try #require(checks["evidence"] as? [[String: Any]]) {
            #expect(evidence["arrow"] as? Bool == true, "racy \(evidence["section"] ?? ""): the regression arrow")
        }
        print("racy trace page: \(checks["openSeconds"] ?? "") s to open; evidence \(checks["evidence"] ?? "")")
    }

    /// A 100k-event synthetic trace (Browser/synthetic_trace.py): many keys, planted violations.
    @Test(.timeLimit(.minutes(30))) func syntheticHundredThousandEvents() throws {
        let trace = HTMLFixtures.outputDirectory.appendingPathComponent("synthetic-100k.jsonl")
        try FileManager.default.createDirectory(at: HTMLFixtures.outputDirectory, withIntermediateDirectories: true)
        let python = try #require(Self.python)
        let generator = HTMLFixtures.packageRoot.appendingPathComponent("Tests/HTMLReportTests/Browser/synthetic_trace.py").path
        let generated = try HTMLFixtures.run(python, [generator, "100000", trace.path, "400"], seconds: 300)
        #expect(generated.code == 0, "\(generated.err)")
        let history = try TraceReader().read(paths: [trace.path])
        var options = VerifyOptions()
        options.minimizeTimeout = 2
        let report = try Verifier(options: options).verify(history: history)
        #expect(report.keys.contains { $0.verdict == .violated }, "planted violations found")
        let checks = try Self.check(history: history, report: report, name: "browser-synthetic-100k")
        try Self.expectReadable(checks, report: report, name: "100k")
        let size = try FileManager.default.attributesOfItem(atPath: HTMLFixtures.outputDirectory.appendingPathComponent("browser-synthetic-100k.html").path)[.size] as? Int ?? 0
        #expect(size < 3_000_000, "the page stays small: \(size) bytes")
        print("100k-event page: \(size) bytes, \(checks["openSeconds"] ?? "") s to open")
    }
}
