import Foundation

/// RFC 3339 timestamps as Kubernetes writes them (`metav1.Time`: `2026-11-25T10:42:07Z`).
///
/// Parsing accepts fractional seconds and numeric offsets (`MicroTime`, other writers); formatting
/// always writes whole seconds in UTC, which is what `metav1.Time` stores, so a value written and
/// read back compares equal. Hand-written rather than `ISO8601DateFormatter` so it is a pure,
/// allocation-light function with identical results on every platform.
public enum RFC3339 {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`; nil when the text is not of that form.
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    /// Parses UTF-8 `bytes` as `parse(_:)` parses text: for a time read in place from a JSON
    /// document, with no `String` made.
    public static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        guard bytes.count >= 20 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4), bytes[4] == 45, let month = number(5..<7), bytes[7] == 45,
            let day = number(8..<10), bytes[10] == 84 || bytes[10] == 116,
            let hour = number(11..<13), bytes[13] == 58, let minute = number(14..<16), bytes[16] == 58,
            let second = number(17..<19)
        else { return nil }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
            hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == 46 {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        if bytes[index] == 90 || bytes[index] == 122 {
            index += 1
        } else if bytes[index] == 43 || bytes[index] == 45 {
            guard index + 6 == bytes.count, bytes[index + 3] == 58,
                let offsetHour = number(index + 1..<index + 3), let offsetMinute = number(index + 4..<index + 6),
                offsetHour < 24, offsetMinute < 60
            else { return nil }
            offset = (offsetHour * 60 + offsetMinute) * 60 * (bytes[index] == 43 ? 1 : -1)
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// Formats `date` in UTC with whole seconds (fractions are dropped, as `metav1.Time` does).
    public static func format(_ date: Date) -> String {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        let days = total >= 0 ? total / 86_400 : -((-total + 86_399) / 86_400)
        let secondsOfDay = total - days * 86_400
        let (year, month, day) = civilFromDays(days)
        if (0...9999).contains(year) {
            // Twenty bytes written in place: padding and joining eleven small strings took 1.7% of
            // the controller's instructions per grant (BENCHMARKS.md, "Controller", twelfth round).
            return String(unsafeUninitializedCapacity: 20) { text in
                func put(_ value: Int, _ width: Int, at start: Int) {
                    var rest = value
                    for position in (start..<start + width).reversed() {
                        text[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
                        rest /= 10
                    }
                }
                put(year, 4, at: 0)
                put(month, 2, at: 5)
                put(day, 2, at: 8)
                put(secondsOfDay / 3600, 2, at: 11)
                put(secondsOfDay / 60 % 60, 2, at: 14)
                put(secondsOfDay % 60, 2, at: 17)
                (text[4], text[7], text[10]) = (UInt8(ascii: "-"), UInt8(ascii: "-"), UInt8(ascii: "T"))
                (text[13], text[16], text[19]) = (UInt8(ascii: ":"), UInt8(ascii: ":"), UInt8(ascii: "Z"))
                return 20
            }
        }
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondsOfDay / 3600, 2)):"
            + "\(pad(secondsOfDay / 60 % 60, 2)):\(pad(secondsOfDay % 60, 2))Z"
    }

    /// The decoding error's message for `text`, which is not an RFC 3339 time.
    static func notATime(_ text: String) -> String {
        "\"\(text)\" is not an RFC 3339 time such as 2026-11-25T10:42:07Z"
    }

    /// The time of day part, `10:42:07Z`, for short human messages.
    static func timeOfDay(_ date: Date) -> String {
        String(format(date).dropFirst(11))
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days: exact proleptic Gregorian arithmetic.
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
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

extension KeyedDecodingContainer {
    /// Decodes an optional RFC 3339 string as a `Date`, whatever date strategy the decoder has.
    func decodeTimestamp(forKey key: Key) throws -> Date? {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let date = RFC3339.parse(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: RFC3339.notATime(text))
        }
        return date
    }
}

extension KeyedEncodingContainer {
    /// Encodes an optional `Date` as an RFC 3339 string, whatever date strategy the encoder has.
    mutating func encodeTimestamp(_ date: Date?, forKey key: Key) throws {
        guard let date else { return }
        try encode(RFC3339.format(date), forKey: key)
    }
}
