import Foundation
import Testing
@testable import CommitCheck

/// The seed story's page opened in a real browser: Debian's Chromium, headless.
///
/// `scripts/chromium` installs it when missing (as root, as on CI). The test checks the DOM Chromium
/// builds from the page and the colours of the pixels it paints, so a page that parses but draws
/// nothing fails too.
@Suite(.serialized) struct ChromiumRenderingTests {
    static let chromium: String? = try? {
        let result = try HTMLFixtures.run(HTMLFixtures.packageRoot.appendingPathComponent("scripts/chromium").path, [], seconds: 1500)
        return result.code == 0 ? result.out.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }()

    /// Writes the seed story's page where people can look at it too.
    static func seedPage() throws -> URL {
        let (history, report) = try HTMLFixtures.verify("sarama-2940-seed.jsonl")
        try FileManager.default.createDirectory(at: HTMLFixtures.outputDirectory, withIntermediateDirectories: true)
        let file = HTMLFixtures.outputDirectory.appendingPathComponent("sarama-2940-seed.html")
        try HTMLReporter.render(history: history, report: report).write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// Runs headless Chromium with a throwaway profile, bounded in time.
    static func chromium(_ arguments: [String]) throws -> (code: Int32, out: String, err: String) {
        let chromium = try #require(Self.chromium, "scripts/chromium found no Chromium")
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("commitcheck-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        return try HTMLFixtures.run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                               "--user-data-dir=\(profile.path)"] + arguments, seconds: 90)
    }

    @Test(.timeLimit(.minutes(30))) func renderedDOMHasTheLanes() throws {
        let page = try Self.seedPage()
        let result = try Self.chromium(["--dump-dom", page.absoluteString])
        #expect(result.code == 0, "chromium: \(result.err.suffix(2000))")
        let dom = result.out
        // The script drew the figure: the lanes, the arrow and its label exist only after it ran.
        for lane in ["consumer-1/G0", "consumer-1/G1", "broker"] {
            #expect(dom.contains("data-lane=\"\(lane)\""), "lane \(lane) in the rendered DOM")
        }
        #expect(dom.contains("<g class=\"regression-arrow\""))
        #expect(dom.contains(">12 \u{2192} 11</text>"))
        #expect(dom.matches(of: /<g class="mark [^"]*highlighted/).count >= 3)
    }

    @Test(.timeLimit(.minutes(30))) func screenshotShowsLanesHighlightsAndArrow() throws {
        let page = try Self.seedPage()
        let screenshot = HTMLFixtures.outputDirectory.appendingPathComponent("sarama-2940-seed.png")
        try? FileManager.default.removeItem(at: screenshot)
        let result = try Self.chromium(["--screenshot=\(screenshot.path)", "--window-size=1400,900", page.absoluteString])
        #expect(result.code == 0, "chromium: \(result.err.suffix(2000))")
        let png = try Data(contentsOf: screenshot)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        // Count the pixels of the colours the page paints with: lane stripes, the broker lane, the
        // highlight halo, the arrow's red. A blank or unstyled page has none of them.
        let counts = try Self.colourCounts(of: screenshot, ["f7f7f7", "f3eefb", "ffd54f", "c62828"])
        #expect(counts["width"] == 1400 && counts["height"] == 900)
        #expect(counts["f7f7f7", default: 0] > 20_000, "thread lane stripes: \(counts)")
        #expect(counts["f3eefb", default: 0] > 20_000, "broker lane: \(counts)")
        #expect(counts["ffd54f", default: 0] > 500, "highlight halos: \(counts)")
        #expect(counts["c62828", default: 0] > 300, "arrow and badges: \(counts)")
    }

    /// Decodes a PNG with Python's standard library (zlib) and counts exact RGB colours.
    static func colourCounts(of png: URL, _ colours: [String]) throws -> [String: Int] {
        let script = #"""
        import json, struct, sys, zlib
        data = open(sys.argv[1], "rb").read()
        pos, chunks, idat = 8, {}, b""
        while pos < len(data):
            length, kind = struct.unpack(">I4s", data[pos:pos + 8])
            body = data[pos + 8:pos + 8 + length]
            if kind == b"IDAT": idat += body
            else: chunks[kind] = body
            pos += 12 + length
        width, height, depth, ctype = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
        assert depth == 8 and ctype in (2, 6), (depth, ctype)
        bpp = 3 if ctype == 2 else 4
        raw, stride = zlib.decompress(idat), width * bpp
        wanted = {bytes.fromhex(c): c for c in sys.argv[2:]}
        counts = {c: 0 for c in sys.argv[2:]}
        previous, offset = bytearray(stride), 0
        for _ in range(height):
            kind, line = raw[offset], bytearray(raw[offset + 1:offset + 1 + stride])
            offset += 1 + stride
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = previous[i]
                c = previous[i - bpp] if i >= bpp else 0
                if kind == 1: line[i] = (line[i] + a) & 255
                elif kind == 2: line[i] = (line[i] + b) & 255
                elif kind == 3: line[i] = (line[i] + (a + b) // 2) & 255
                elif kind == 4:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            for i in range(0, stride, bpp):
                name = wanted.get(bytes(line[i:i + 3]))
                if name: counts[name] += 1
            previous = line
        counts["width"], counts["height"] = width, height
        print(json.dumps(counts))
        """#
        let result = try HTMLFixtures.run("/usr/bin/env", ["python3", "-c", script, png.path] + colours, seconds: 120)
        #expect(result.code == 0, "python3: \(result.err)")
        return try JSONDecoder().decode([String: Int].self, from: Data(result.out.utf8))
    }
}
