@testable import Kube
import Testing

/// How response header lines, as libcurl hands them over (CRLF included), become headers.
@Suite struct HeaderCollectorTests {
    @Test func namesAreLowercasedValuesTrimmedAndRepeatsJoined() {
        var collector = HeaderCollector()
        for line in ["HTTP/1.1 200 OK\r\n", "Content-Type:  application/json \r\n", "X-Multi: a\r\n", "x-multi:\tb\r\n", "Empty:\r\n"] {
            let ended = collector.consume(line)
            #expect(!ended)
        }
        #expect(collector.headers == ["content-type": "application/json", "x-multi": "a, b", "empty": ""])
        let ended = collector.consume("\r\n")
        #expect(ended)
    }

    @Test func warningsAreKeptOneByOneAndAValueKeepsItsColons() {
        var collector = HeaderCollector()
        _ = collector.consume("Warning: 299 - \"unknown field \\\"spec.x\\\"\"\r\n")
        _ = collector.consume("WARNING: 299 - \"second\"\r\n")
        _ = collector.consume("Location: https://host:6443/api\r\n")
        #expect(collector.warnings == [#"299 - "unknown field \"spec.x\"""#, #"299 - "second""#])
        #expect(collector.headers["location"] == "https://host:6443/api")
    }

    @Test func aNewStatusLineStartsOverAndALineWithoutAColonIsSkipped() {
        var collector = HeaderCollector()
        _ = collector.consume("HTTP/1.1 100 Continue\r\n")
        _ = collector.consume("X-Interim: yes\r\n")
        _ = collector.consume("Warning: 299 - \"interim\"\r\n")
        let ended = collector.consume("\r\n")
        #expect(ended)
        _ = collector.consume("HTTP/2 201\r\n")
        _ = collector.consume("not a header\r\n")
        _ = collector.consume("Audit-Id: 42\r\n")
        #expect(collector.headers == ["audit-id": "42"])
        #expect(collector.warnings.isEmpty)
    }
}
