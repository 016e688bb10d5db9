import Foundation

/// A `metav1.Time`: an RFC 3339 instant with whole-second precision.
///
/// Kubernetes serialises `Time` with second precision (apimachinery `pkg/apis/meta/v1/time.go`),
/// so sub-second parts are dropped on the way in, exactly as a round trip through the API server
/// would drop them. Parsing accepts fractional seconds and any UTC offset; output is always `Z`.
public struct Time: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var secondsSinceEpoch: Int64

    /// The instant `secondsSinceEpoch` seconds after the Unix epoch.
    public init(secondsSinceEpoch: Int64) {
        self.secondsSinceEpoch = secondsSinceEpoch
    }

    /// The instant of `date`, truncated to the whole second (towards the past).
    public init(_ date: Date) {
        self.secondsSinceEpoch = Int64(date.timeIntervalSince1970.rounded(.down))
    }

    /// Parses an RFC 3339 timestamp such as `2026-05-01T10:00:00Z` or `2026-05-01T12:00:00.5+02:00`.
    public init?(rfc3339 text: String) {
        guard let micros = RFC3339.parseMicroseconds(text) else { return nil }
        self.init(microseconds: micros)
    }

    /// The instant `micros` microseconds after the epoch, truncated to the whole second.
    init(microseconds micros: Int64) {
        self.secondsSinceEpoch = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
    }

    /// The instant as a `Date`.
    public var date: Date { Date(timeIntervalSince1970: TimeInterval(secondsSinceEpoch)) }

    /// The RFC 3339 text the API server would write, e.g. `2026-05-01T10:00:00Z`.
    public var description: String { RFC3339.format(microseconds: secondsSinceEpoch * 1_000_000, fractionDigits: 0) }

    public static func < (lhs: Time, rhs: Time) -> Bool { lhs.secondsSinceEpoch < rhs.secondsSinceEpoch }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Time(rfc3339: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(text)' is not an RFC 3339 timestamp")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A `metav1.MicroTime`: an instant with microsecond precision, written with exactly six fractional
/// digits (`2026-05-01T10:00:00.000000Z`).
///
/// The API server parses MicroTime with Go's `RFC3339Micro` layout, which requires all six digits:
/// `…:00Z` or `…:00.123Z` are rejected, which is why Lease and Event times must come from here and
/// not from `ISO8601DateFormatter` (three digits).
public struct MicroTime: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microsecondsSinceEpoch: Int64

    /// The instant `microsecondsSinceEpoch` microseconds after the Unix epoch.
    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    /// The instant of `date`, rounded to the nearest microsecond.
    public init(_ date: Date) {
        self.microsecondsSinceEpoch = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// Parses an RFC 3339 timestamp with any number of fractional digits (extra digits are truncated).
    public init?(rfc3339 text: String) {
        guard let micros = RFC3339.parseMicroseconds(text) else { return nil }
        self.microsecondsSinceEpoch = micros
    }

    /// The instant as a `Date`.
    public var date: Date { Date(timeIntervalSince1970: TimeInterval(microsecondsSinceEpoch) / 1_000_000) }

    /// The text with exactly six fractional digits and `Z`.
    public var description: String { RFC3339.format(microseconds: microsecondsSinceEpoch, fractionDigits: 6) }

    public static func < (lhs: MicroTime, rhs: MicroTime) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = MicroTime(rfc3339: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(text)' is not an RFC 3339 timestamp")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// RFC 3339 parsing and formatting on integer microseconds, free of locale and of
/// `DateFormatter`'s three-digit fractions.
enum RFC3339 {
    /// Microseconds since the epoch of an RFC 3339 `date-time`, or nil when `text` is not one.
    static func parseMicroseconds(_ text: String) -> Int64? {
        // Read the string's own UTF-8 in place: every object of a LIST carries timestamps, and a
        // copy of the bytes per timestamp was a measurable share of decoding one.
        var text = text
        return text.withUTF8 { parseMicroseconds(bytes: $0) }
    }

    /// Microseconds since the epoch of the RFC 3339 `date-time` in UTF-8 `bytes`, or nil.
    static func parseMicroseconds(bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var scanner = Scanner(bytes: bytes)
        return scanner.microseconds()
    }

    /// The RFC 3339 `date-time` grammar over UTF-8 bytes.
    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        mutating func number(_ width: Int) -> Int64? {
            guard index + width <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[index..<index + width] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            index += width
            return value
        }

        mutating func expect(_ characters: StaticString) -> Bool {
            guard index < bytes.count else { return false }
            let allowed = UnsafeBufferPointer(start: characters.utf8Start, count: characters.utf8CodeUnitCount)
            guard allowed.contains(bytes[index]) else { return false }
            index += 1
            return true
        }

        mutating func microseconds() -> Int64? {
            guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
                expect("Tt "), let hour = number(2), expect(":"), let minute = number(2), expect(":"),
                let second = number(2)
            else { return nil }
            guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else {
                return nil
            }
            var micros: Int64 = 0
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                var digits = 0
                while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                    if digits < 6 { micros = micros * 10 + Int64(bytes[index] - 0x30) }
                    digits += 1
                    index += 1
                }
                guard digits > 0 else { return nil }
                for _ in digits..<max(digits, 6) { micros *= 10 }
            }
            var offsetSeconds: Int64 = 0
            if expect("Zz") {
                offsetSeconds = 0
            } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                let sign: Int64 = bytes[index] == UInt8(ascii: "+") ? 1 : -1
                index += 1
                guard let offsetHours = number(2), expect(":"), let offsetMinutes = number(2) else { return nil }
                offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
            } else {
                return nil
            }
            guard index == bytes.count else { return nil }
            let days = RFC3339.daysFromCivil(year: year, month: month, day: day)
            let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
            return seconds * 1_000_000 + micros
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` for `microseconds` since the epoch.
    static func format(microseconds: Int64, fractionDigits: Int) -> String {
        var seconds = microseconds / 1_000_000
        var micros = microseconds % 1_000_000
        if micros < 0 {
            micros += 1_000_000
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = civilFromDays(days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var result = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T"
        result += "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
        if fractionDigits > 0 { result += "." + pad(micros, 6) }
        return result + "Z"
    }

    // Howard Hinnant's proleptic Gregorian day algorithms: exact for every year, no calendar object.
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilFromDays(_ days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
