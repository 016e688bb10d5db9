import Foundation
import Testing
import YAML

@testable import Elevation

@Suite struct GoDurationTests {
    @Test(arguments: [
        ("90s", Int64(90_000_000_000)), ("15m", 900_000_000_000), ("1h30m", 5_400_000_000_000), ("1h", 3_600_000_000_000),
        ("1.5h", 5_400_000_000_000), ("250ms", 250_000_000), ("0", 0), ("2h45m10s", 9_910_000_000_000), ("1us", 1_000),
        ("1µs", 1_000), ("1.s", 1_000_000_000), ("10ns", 10), ("-5m", -300_000_000_000), (".5s", 500_000_000), ("1m1m", 120_000_000_000),
        ("+5m", 300_000_000_000), ("00m", 0), ("0s", 0), ("1h0m0s", 3_600_000_000_000), ("2555555h", 9_199_998_000_000_000_000), ("2499999h", 8_999_996_400_000_000_000),
        ("1h1.5m", 3_690_000_000_000), ("7ms3us2ns", 7_003_002),
    ])
    func parsesGoDurations(text: String, nanoseconds: Int64) throws {
        #expect(try GoDuration.parse(text).nanoseconds == nanoseconds)
    }

    @Test(arguments: [
        ("", "empty"), ("15", "has no unit"), ("15 m", "is not a unit"), ("1d", "\"d\" is not a unit"), ("m", "expected a number"),
        ("1.2.3s", "expected a number"), ("abc", "expected a number"), ("9999999999h", "292 years"),
        // Whole numbers with ASCII units take a byte-level path: its edges end in the same errors.
        ("2562047h", "292 years"), ("9223372036854775807ns", "292 years"), ("99999999999999999999s", "292 years"),
        ("1hm", "\"hm\" is not a unit"), ("5m3", "has no unit"), ("5m ", "is not a unit"), ("07x", "\"x\" is not a unit"),
    ])
    func rejectsWhatGoRejects(text: String, fragment: String) {
        #expect {
            try GoDuration.parse(text)
        } throws: { error in
            let message = (error as? ElevationError)?.description ?? ""
            return message.contains(fragment) && message.contains("write it like 90s, 15m or 1h30m")
        }
    }

    @Test(arguments: [("90s", "1m30s"), ("1h30m", "1h30m0s"), ("15m", "15m0s"), ("250ms", "250ms"), ("0", "0s"), ("1.5s", "1.5s")])
    func printsLikeGo(text: String, printed: String) throws {
        #expect(try GoDuration.parse(text).description == printed)
    }
}

@Suite struct RFC3339Tests {
    @Test func roundTripsWholeSeconds() throws {
        let text = "2026-11-25T10:42:07Z"
        let date = try #require(RFC3339.parse(text))
        #expect(RFC3339.format(date) == text)
        #expect(date.timeIntervalSince1970 == 1_795_603_327)
    }

    @Test func formatsAsFoundationsISO8601Formatter() {
        // An independent reference: Foundation's formatter, in UTC, over four centuries.
        let reference = ISO8601DateFormatter()
        reference.timeZone = TimeZone(identifier: "UTC")
        var generator = SystemRandomNumberGenerator()
        let samples = [0, 1, -1, 59, 86_399, 951_782_400, 4_102_444_799, 13_569_465_600]
            + (0..<2_000).map { _ in Double.random(in: -2_208_988_800...13_569_465_600, using: &generator).rounded(.down) }.map(Int.init)
        for seconds in samples {
            let date = Date(timeIntervalSince1970: TimeInterval(seconds) + (seconds >= 0 ? 0.75 : 0))
            #expect(RFC3339.format(date) == reference.string(from: date), "at \(seconds) s")
        }
    }

    @Test func readsFractionsAndOffsets() throws {
        let micro = try #require(RFC3339.parse("2026-11-25T10:42:07.123456Z"))
        #expect(abs(micro.timeIntervalSince1970 - 1_795_603_327.123456) < 1e-6)
        let offset = try #require(RFC3339.parse("2026-11-25T12:42:07+02:00"))
        #expect(RFC3339.format(offset) == "2026-11-25T10:42:07Z")
        #expect(RFC3339.format(try #require(RFC3339.parse("2024-02-29T00:00:00Z"))) == "2024-02-29T00:00:00Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
    }

    @Test(arguments: ["2026-11-25", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2026-11-25T10:42:07", "2026-11-25T10:42:07.Z", "x"])
    func rejectsMalformedTimes(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test func decodesTimestampsWhateverTheDecoderStrategy() throws {
        let json = #"{"name":"x","creationTimestamp":"2026-11-25T10:42:07Z"}"#
        let meta = try JSONDecoder().decode(ObjectMeta.self, from: Data(json.utf8))
        #expect(meta.creationTimestamp == RFC3339.parse("2026-11-25T10:42:07Z"))
        let encoded = String(decoding: try JSONEncoder().encode(meta), as: UTF8.self)
        #expect(encoded.contains("2026-11-25T10:42:07Z"))
    }

    @Test func badTimestampNamesTheValue() {
        let json = #"{"name":"x","creationTimestamp":"yesterday"}"#
        #expect {
            try JSONDecoder().decode(ObjectMeta.self, from: Data(json.utf8))
        } throws: { error in
            String(describing: error).contains("\"yesterday\" is not an RFC 3339 time")
        }
    }
}

@Suite struct HashTests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func sha256MatchesFIPSVectors(input: String, digest: String) {
        #expect(SHA256.hex(input) == digest)
    }

    @Test func sha256OfAMillionAs() {
        #expect(SHA256.hex(String(repeating: "a", count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func specHashTextSortsKeysAndEscapesMinimally() {
        let value: JSONValue = .object(["b": .array([.int(1), .bool(true), .null]), "a": .string("x/\"y\"\n"), "é": .double(2)])
        #expect(String(decoding: JSONWriter.encode(value), as: UTF8.self) == #"{"a":"x/\"y\"\n","b":[1,true,null],"é":2}"#)
    }

    @Test func specHashIsStableAndIgnoresRevocation() {
        let request = Fixture.request()
        var revoked = request.spec
        revoked.revoked = true
        revoked.breakGlass = false
        #expect(request.spec.specHash == revoked.specHash)
        var other = request.spec
        other.duration = "11m"
        #expect(request.spec.specHash != other.specHash)
        // Fixed across processes and releases: a changed value here breaks every recorded hash.
        #expect(request.spec.specHash == "sha256:" + SHA256.hex(
            #"{"duration":"10m","policy":"payments-debug","reason":"INC-1234 stuck payouts","requester":{"groups":["payments-oncall"],"user":"alice@example.com"},"rules":[{"methods":["GET"],"paths":["\/admin\/queue"],"ports":["8080"]}],"subject":{"serviceAccount":{"name":"debugger","namespace":"tools"}}}"#
                .replacingOccurrences(of: "\\/", with: "/")))
    }
}

@Suite struct ASCIISearchTests {
    @Test(arguments: [
        ("1.5h", ".", true), ("90m", ".", false), ("/users/{id}", "{", true), ("/users/*", "}", false),
        ("networking.istio.io/v1", "/", true), ("v1", "/", false), ("", ".", false), ("é.x", ".", true),
    ] as [(String, Unicode.Scalar, Bool)])
    func findsASingleASCIICharacter(text: String, character: Unicode.Scalar, found: Bool) {
        #expect(text.containsASCII(character) == found)
        #expect(text[...].containsASCII(character) == found)
    }
}
