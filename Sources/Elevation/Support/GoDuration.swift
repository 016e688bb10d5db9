import Foundation

/// A duration written the way Go's `time.ParseDuration` and Kubernetes' `format: duration` read it:
/// `90s`, `15m`, `1h30m`, `1.5h`, `250ms`.
///
/// Guarantees: accepts exactly Go's grammar (sign, decimal numbers, units `ns us µs ms s m h`, at
/// least one unit except for a bare `0`), so what the CRD's CEL `duration()` accepts, this accepts.
/// Overflow past about 292 years is an error, as in Go.
public struct GoDuration: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The length in nanoseconds; negative durations are representable, as in Go.
    public var nanoseconds: Int64

    /// A duration of `nanoseconds`.
    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// A duration of whole `seconds`.
    public static func seconds(_ seconds: Int64) -> GoDuration { GoDuration(nanoseconds: seconds * 1_000_000_000) }

    /// A duration of whole `minutes`.
    public static func minutes(_ minutes: Int64) -> GoDuration { .seconds(minutes * 60) }

    /// The same length as a Foundation `TimeInterval` (seconds).
    public var timeInterval: TimeInterval { Double(nanoseconds) / 1e9 }

    public static func < (lhs: GoDuration, rhs: GoDuration) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    private static let units: [(String, Int64)] = [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("μs", 1_000), ("ms", 1_000_000),
        ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ]

    /// Parses Go duration text; the error says what is wrong and shows a valid example.
    public static func parse(_ text: String) throws(ElevationError) -> GoDuration {
        if let whole = wholeUnits(text) { return whole }
        func fail(_ why: String) -> ElevationError { .invalidDuration(text: text, problem: why) }
        var rest = Substring(text)
        var negative = false
        if let sign = rest.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { return GoDuration(nanoseconds: 0) }
        guard !rest.isEmpty else { throw fail("it is empty") }
        var total: Double = 0
        var exact: Int64 = 0
        var exactOK = true
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !digits.isEmpty, digits != ".", digits.filter({ $0 == "." }).count <= 1 else {
                throw fail("expected a number before each unit")
            }
            rest = rest.dropFirst(digits.count)
            let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard !unitText.isEmpty else { throw fail("the number \(digits) has no unit (ns, us, ms, s, m or h)") }
            guard let unit = units.first(where: { $0.0 == unitText }) else {
                throw fail("\"\(unitText)\" is not a unit (ns, us, ms, s, m or h)")
            }
            rest = rest.dropFirst(unitText.count)
            guard let value = Double(digits.hasPrefix(".") ? "0" + digits : digits) else {
                throw fail("\(digits) is not a number")
            }
            total += value * Double(unit.1)
            if exactOK, !digits.containsASCII("."), let whole = Int64(digits) {
                let (product, overflow1) = whole.multipliedReportingOverflow(by: unit.1)
                let (sum, overflow2) = exact.addingReportingOverflow(product)
                if overflow1 || overflow2 { exactOK = false } else { exact = sum }
            } else {
                exactOK = false
            }
        }
        guard total < 9.2e18 else { throw fail("it is longer than Go's limit of about 292 years") }
        let magnitude = exactOK ? exact : Int64(total.rounded())
        return GoDuration(nanoseconds: negative ? -magnitude : magnitude)
    }

    /// The common form (`90s`, `15m`, `1h30m`: whole numbers, each with an ASCII unit, no sign)
    /// read byte by byte; nil for anything else, which `parse` then reads in full (and explains
    /// if it is wrong). The full reader works on `Character`s and `Double`s: a request's
    /// durations took 2% of the controller's instructions per grant (BENCHMARKS.md, "Controller",
    /// twelfth round).
    private static func wholeUnits(_ text: String) -> GoDuration? {
        var bytes = text.utf8[...]
        var total: Int64 = 0
        guard !bytes.isEmpty else { return nil }
        while let first = bytes.first {
            var number: Int64 = 0
            var digits = 0
            var byte = first
            while byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                let (times10, overflow1) = number.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
                guard !overflow1, !overflow2 else { return nil }
                number = sum
                digits += 1
                bytes = bytes.dropFirst()
                guard let next = bytes.first else { return nil }  // a number without a unit
                byte = next
            }
            guard digits > 0 else { return nil }
            let unit = bytes.prefix { $0 < UInt8(ascii: "0") || $0 > UInt8(ascii: "9") }
            bytes = bytes.dropFirst(unit.count)
            let scale: Int64
            switch (unit.count, unit.first, unit.dropFirst().first) {
            case (1, UInt8(ascii: "h"), _): scale = 3_600_000_000_000
            case (1, UInt8(ascii: "m"), _): scale = 60_000_000_000
            case (1, UInt8(ascii: "s"), _): scale = 1_000_000_000
            case (2, UInt8(ascii: "m"), UInt8(ascii: "s")): scale = 1_000_000
            case (2, UInt8(ascii: "u"), UInt8(ascii: "s")): scale = 1_000
            case (2, UInt8(ascii: "n"), UInt8(ascii: "s")): scale = 1
            default: return nil  // a fraction, a sign, µs or not a unit: the full reader decides
            }
            let (product, overflow1) = number.multipliedReportingOverflow(by: scale)
            let (sum, overflow2) = total.addingReportingOverflow(product)
            // Near Go's limit of about 292 years the full reader decides (its limit is on the
            // sum as a `Double`), and past it gives the error.
            guard !overflow1, !overflow2, sum < 9_000_000_000_000_000_000 else { return nil }
            total = sum
        }
        return GoDuration(nanoseconds: total)
    }

    /// Go's `Duration.String()` form: `1h30m0s`, `15m0s`, `500ms`, `0s`.
    public var description: String {
        if nanoseconds == 0 { return "0s" }
        let sign = nanoseconds < 0 ? "-" : ""
        let magnitude = nanoseconds.magnitude
        if magnitude < 1_000_000_000 {
            if magnitude < 1_000 { return "\(sign)\(magnitude)ns" }
            if magnitude < 1_000_000 { return sign + Self.decimal(magnitude, 1_000) + "µs" }
            return sign + Self.decimal(magnitude, 1_000_000) + "ms"
        }
        let hours = magnitude / 3_600_000_000_000
        let minutes = magnitude / 60_000_000_000 % 60
        let seconds = Self.decimal(magnitude % 60_000_000_000, 1_000_000_000)
        if hours > 0 { return "\(sign)\(hours)h\(minutes)m\(seconds)s" }
        if minutes > 0 { return "\(sign)\(minutes)m\(seconds)s" }
        return "\(sign)\(seconds)s"
    }

    private static func decimal(_ value: UInt64, _ unit: UInt64) -> String {
        let whole = value / unit
        var fraction = String(value % unit)
        guard value % unit != 0 else { return String(whole) }
        let width = String(unit).count - 1
        fraction = String(repeating: "0", count: width - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction)"
    }
}
