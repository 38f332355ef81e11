import CommitCheck
import Testing

/// `SeenIDs` never forgets an id it was given (that is what keeps streaming exact and the proxy's
/// ids unique), is exact for ids numbered without gaps, and holds a bounded number of ids one by
/// one however the numbers skip.
@Suite struct SeenIDsTests {
    @Test func neverForgetsAndStaysBoundedWithGaps() {
        var random = SystemRandomNumberGenerator()
        for round in 0..<20 {
            var seen = SeenIDs(outsideLimit: round % 3 == 0 ? 1_024 : 64)
            var inserted: [String] = []
            var next = [Int](repeating: 1, count: 3)
            for _ in 0..<20_000 {
                let prefix = Int.random(in: 0..<3, using: &random)
                // Rising with gaps (a proxy's correlation ids), now and then a little out of order.
                next[prefix] += Int.random(in: 1...(round % 2 == 0 ? 3 : 40), using: &random)
                let number = max(0, next[prefix] - (Int.random(in: 0..<10, using: &random) == 0 ? Int.random(in: 1...5, using: &random) : 0))
                let id = "conn-\(prefix)-\(number)"
                seen.insert(id)
                inserted.append(id)
            }
            for id in inserted { #expect(seen.contains(id), "round \(round): \(id) forgotten") }
            #expect(seen.individuallyHeld <= 3 * (seen.outsideLimit + 1), "round \(round): \(seen.individuallyHeld) held")
        }
    }

    @Test func exactWithoutGaps() {
        var seen = SeenIDs()
        for number in 1...100_000 { seen.insert("proxy-\(number)") }
        #expect(seen.individuallyHeld == 0)
        #expect(seen.contains("proxy-1") && seen.contains("proxy-100000"))
        #expect(!seen.contains("proxy-0") && !seen.contains("proxy-100001") && !seen.contains("other-5"))
        // Unnumbered ids are remembered one by one.
        seen.insert("uuid-a1b2c3x")
        #expect(seen.contains("uuid-a1b2c3x") && !seen.contains("uuid-a1b2c3y"))
        #expect(seen.individuallyHeld == 1)
    }
}
