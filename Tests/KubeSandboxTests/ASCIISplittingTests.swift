import Testing

@testable import KubeSandbox

/// Splitting at ASCII bytes gives the pieces `split(separator:)` gives, on every kind of text the
/// API carries, and trimming drops only spaces and tabs.
@Suite struct ASCIISplittingTests {
    @Test func splittingAtAByteIsSplittingAtTheCharacter() {
        let texts = ["", "/", "//", "/apis/elevator.dev/v1alpha1/namespaces/payments/elevationrequests/r1/status",
                     "a=b&c=d&&e", "=x=y", "héllo/wörld/日本/", "fieldManager=elevator&force=true",
                     "no-separator", "trailing/", "/leading"]
        for text in texts {
            for separator in ["/", "&", "="] as [Character] {
                let scalar = separator.unicodeScalars.first ?? "/"
                for omitting in [true, false] {
                    for maxSplits in [1, Int.max] {
                        #expect(text.split(ascii: scalar, maxSplits: maxSplits, omittingEmptySubsequences: omitting)
                                    == text.split(separator: separator, maxSplits: maxSplits, omittingEmptySubsequences: omitting),
                                "\(text) at \(separator)")
                    }
                }
            }
        }
    }

    @Test func aSeparatorBeforeACombiningMarkSplitsAsGoSplitsBytes() {
        // One Character ("/" with an accent) to `split(separator:)`, two pieces to Go's strings.Split.
        #expect("x/\u{301}y".split(ascii: "/") == ["x", "\u{301}y"])
        #expect("x/\u{301}y".split(separator: "/").count == 1)
    }

    @Test func trimmingDropsOnlySpacesAndTabsAtTheEnds() {
        #expect("  token\t ".trimmingASCIIBlanks == "token")
        #expect("\t a b \t".trimmingASCIIBlanks == "a b")
        #expect("   ".trimmingASCIIBlanks == "")
        #expect("".trimmingASCIIBlanks == "")
        #expect("\ntoken".trimmingASCIIBlanks == "\ntoken")
        #expect(Substring("x  ").trimmingASCIIBlanks == "x")
    }
}
