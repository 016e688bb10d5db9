import Testing

@testable import Elevation

/// Reason patterns a backtracking engine matches in exponential time are found; ordinary ones are not.
struct BacktrackingRiskTests {
    @Test(arguments: [
        ("(a+)+$", "(a+)+"), ("^INC-(\\d*)*x", "(\\d*)*"), ("(a|aa)*b", "(a|aa)*"), ("((ab)+c)+", "((ab)+c)+"),
        ("(x[a-z]+){2,}", "(x[a-z]+){"), ("^(.*,)+$", "(.*,)+"),
    ])
    func nestedOrAlternatingRepetitionIsRisky(_ pattern: String, _ group: String) {
        #expect(BacktrackingRisk.riskyGroup(in: pattern) == group)
    }

    @Test(arguments: ["^INC-[0-9]+", "^(INC|CHG)-[0-9]+$", "(abc)+", "[(a+)+]", "\\(a+\\)+", "^(INC-[0-9]+)$", "a{2}(b)?"])
    func ordinaryPatternsAreNotRisky(_ pattern: String) {
        #expect(BacktrackingRisk.riskyGroup(in: pattern) == nil)
    }
}
