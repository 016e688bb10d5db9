import Testing

@testable import Elevation

@Suite struct ReasonPatternsTests {
    @Test func compilesEachPatternOnceAndMatchesAsRegexDoes() throws {
        let patterns = ReasonPatterns(limit: 8)
        let first = try patterns.regex("^INC-[0-9]+")
        let again = try patterns.regex("^INC-[0-9]+")
        #expect(patterns.count == 1)
        #expect("INC-42: disk full".contains(first))
        #expect(!"no ticket".contains(again))
    }

    @Test func keepsTheErrorOfAPatternThatDoesNotCompile() {
        let patterns = ReasonPatterns(limit: 8)
        var messages: [String] = []
        for _ in 0..<2 {
            do {
                _ = try patterns.regex("(unclosed")
                Issue.record("an unclosed group compiled")
            } catch {
                messages.append("\(error)")
            }
        }
        #expect(patterns.count == 1)
        #expect(messages.count == 2 && messages[0] == messages[1] && !messages[0].isEmpty)
    }

    @Test func startsOverAtItsLimit() throws {
        let patterns = ReasonPatterns(limit: 2)
        _ = try patterns.regex("a")
        _ = try patterns.regex("b")
        #expect(patterns.count == 2)
        _ = try patterns.regex("c")
        #expect(patterns.count == 1)
    }
}
