/// What a scalar means once go-yaml v2's resolution rules are applied (docs/yaml.md).
enum ResolvedScalar: Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    /// An integer above `Int64.max` that fits `UInt64`.
    case uint(UInt64)
    case double(Double)
    /// The scalar's own text.
    case string
    /// Decoded `!!binary` bytes.
    case binary([UInt8])
}

/// Scalar resolution as `gopkg.in/yaml.v2` v2.4.0 `resolve.go` does it, on bytes, so the common
/// case (a plain word) costs one table lookup.
enum ScalarResolver {
    static let strTag = "tag:yaml.org,2002:str"
    static let intTag = "tag:yaml.org,2002:int"
    static let floatTag = "tag:yaml.org,2002:float"
    static let boolTag = "tag:yaml.org,2002:bool"
    static let timestampTag = "tag:yaml.org,2002:timestamp"
    static let binaryTag = "tag:yaml.org,2002:binary"
    static let mergeTag = "tag:yaml.org,2002:merge"
    static let nullTag = "tag:yaml.org,2002:null"

    /// A tag mismatch (`!!int abc`); the message names both tags but never the value.
    struct Mismatch: Error {
        var message: String
    }

    /// Resolves a scalar with its explicit tag (nil when untagged) and whether it was plain.
    static func resolve(_ text: UnsafeBufferPointer<UInt8>, tag: String?, plain: Bool) throws(Mismatch) -> ResolvedScalar {
        guard let tag else {
            return plain ? resolvePlain(text) : .string
        }
        switch tag {
        case binaryTag:
            guard let decoded = Base64.decode(text) else {
                throw Mismatch(message: "!!binary value is not valid base64; encode the bytes with standard base64 and padding")
            }
            return .binary(decoded)
        case strTag:
            return .string
        case intTag, floatTag, boolTag:
            let resolved = resolvePlain(text)
            switch (tag, resolved) {
            case (intTag, .int), (intTag, .uint), (floatTag, .double), (boolTag, .bool):
                return resolved
            case (floatTag, .int(let value)):
                return .double(Double(value))
            default:
                throw Mismatch(message: "the scalar tagged \(shortTag(tag)) reads as \(kindName(resolved)); fix the value or remove the tag")
            }
        case nullTag:
            // kubectl (the reference, see the sandbox's YAML oracle test) reads `!!null ~` as null.
            if case .null = resolvePlain(text) { return .null }
            throw Mismatch(message: "the scalar tagged !!null reads as \(kindName(resolvePlain(text))); write ~ or null, or remove the tag")
        case timestampTag:
            // go-yaml keeps timestamps as their text when decoding into interface{}.
            if looksLikeTimestamp(text) { return .string }
            throw Mismatch(message: "the scalar tagged !!timestamp is not a date of the form 2006-01-02; fix the value or remove the tag")
        default:
            // Tags go-yaml v2 does not resolve (`!!map`, `!custom`, `!`) leave the text a string.
            return .string
        }
    }

    static func shortTag(_ tag: String) -> String {
        let prefix = "tag:yaml.org,2002:"
        return tag.hasPrefix(prefix) ? "!!" + tag.dropFirst(prefix.count) : tag
    }

    static func kindName(_ resolved: ResolvedScalar) -> String {
        switch resolved {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .uint: return "an integer"
        case .double: return "a float"
        case .string, .binary: return "a string"
        }
    }

    /// The first-byte hint table of resolve.go: 'S' sign, 'D' digit, 'M' in the word map, '.'.
    private static let hints: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        table[Int(UInt8(ascii: "+"))] = UInt8(ascii: "S")
        table[Int(UInt8(ascii: "-"))] = UInt8(ascii: "S")
        for c in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(c)] = UInt8(ascii: "D") }
        for c in "yYnNtTfFoO~".utf8 { table[Int(c)] = UInt8(ascii: "M") }
        table[Int(UInt8(ascii: "."))] = UInt8(ascii: ".")
        return table
    }()

    /// Whether a plain scalar starting with this byte may resolve to anything but a string.
    @inline(__always)
    static func hasHint(_ byte: UInt8) -> Bool { hints[Int(byte)] != 0 }

    /// resolve.go's `resolveMap`: the only spellings of booleans, null and special floats.
    private static let words: [UInt64: ResolvedScalar] = {
        var map: [UInt64: ResolvedScalar] = [:]
        let list: [(ResolvedScalar, [String])] = [
            (.bool(true), ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]),
            (.bool(false), ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]),
            (.null, ["~", "null", "Null", "NULL"]),
            (.double(.nan), [".nan", ".NaN", ".NAN"]),
            (.double(.infinity), [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"]),
            (.double(-.infinity), ["-.inf", "-.Inf", "-.INF"]),
        ]
        for (value, spellings) in list {
            for spelling in spellings { map[pack(Array(spelling.utf8)[...])] = value }
        }
        return map
    }()

    private static func pack<C: Collection<UInt8>>(_ bytes: C) -> UInt64 {
        var key: UInt64 = UInt64(bytes.count)
        for byte in bytes { key = key << 8 | UInt64(byte) }
        return key
    }

    /// Resolution of an untagged plain scalar (or one tagged with a resolvable tag).
    static func resolvePlain(_ text: UnsafeBufferPointer<UInt8>) -> ResolvedScalar {
        guard let first = text.first else { return .null }
        let hint = hints[Int(first)]
        if hint == 0 { return .string }
        if text.count <= 6, let word = words[pack(text)] { return word }
        switch hint {
        case UInt8(ascii: "."):
            if matchesYAMLFloat(text), let value = parseDouble(text) { return .double(value) }
            return .string
        case UInt8(ascii: "D"), UInt8(ascii: "S"):
            return resolveNumber(text)
        default:
            return .string
        }
    }

    private static func resolveNumber(_ text: UnsafeBufferPointer<UInt8>) -> ResolvedScalar {
        guard text.contains(UInt8(ascii: "_")) else { return resolveNumberWithoutUnderscores(text) }
        // resolve.go removes every underscore before parsing.
        let plain = text.filter { $0 != UInt8(ascii: "_") }
        return plain.withUnsafeBufferPointer { resolveNumberWithoutUnderscores($0) }
    }

    private static func resolveNumberWithoutUnderscores(_ text: UnsafeBufferPointer<UInt8>) -> ResolvedScalar {
        if let value = GoInteger.parseInt(text) { return .int(value) }
        if let value = GoInteger.parseUint(text) { return .uint(value) }
        if matchesYAMLFloat(text), let value = parseDouble(text) { return .double(value) }
        return .string
    }

    /// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`, resolve.go's `yamlStyleFloat`.
    static func matchesYAMLFloat(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = text.count
        func isDigit(_ i: Int) -> Bool { i < n && text[i] >= 0x30 && text[i] <= 0x39 }
        if i < n && (text[i] == UInt8(ascii: "+") || text[i] == UInt8(ascii: "-")) { i += 1 }
        if i < n && text[i] == UInt8(ascii: ".") {
            i += 1
            guard isDigit(i) else { return false }
            while isDigit(i) { i += 1 }
        } else {
            guard isDigit(i) else { return false }
            while isDigit(i) { i += 1 }
            if i < n && text[i] == UInt8(ascii: ".") {
                i += 1
                while isDigit(i) { i += 1 }
            }
        }
        if i < n && (text[i] == UInt8(ascii: "e") || text[i] == UInt8(ascii: "E")) {
            i += 1
            if i < n && (text[i] == UInt8(ascii: "+") || text[i] == UInt8(ascii: "-")) { i += 1 }
            guard isDigit(i) else { return false }
            while isDigit(i) { i += 1 }
        }
        return i == n
    }

    /// Parses a text already known to match `yamlStyleFloat`; nil when it overflows, as Go's
    /// `strconv.ParseFloat` then fails and the scalar stays a string.
    private static func parseDouble(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        let string = String(decoding: text, as: UTF8.self)
        guard let value = Double(string) ?? Double(string + "0") else { return nil }
        return value.isFinite ? value : nil
    }

    /// Whether a text starts like a YAML 1.1 timestamp (`YYYY-`), resolve.go's quick check.
    static func looksLikeTimestamp(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard text.count > 4 else { return false }
        for i in 0..<4 where !(text[i] >= 0x30 && text[i] <= 0x39) { return false }
        return text[4] == UInt8(ascii: "-")
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)` and `ParseUint(s, 0, 64)` on bytes: optional sign (signed
/// only), `0x`, `0o`, `0b` prefixes in either case, and a leading `0` meaning octal.
enum GoInteger {
    static func parseInt(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard let first = text.first else { return nil }
        var negative = false
        var digits = UnsafeBufferPointer(rebasing: text[...])
        if first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            negative = first == UInt8(ascii: "-")
            digits = UnsafeBufferPointer(rebasing: text[1...])
        }
        guard let magnitude = parseUint(digits) else { return nil }
        if negative {
            if magnitude <= UInt64(Int64.max) { return -Int64(magnitude) }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : nil
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    static func parseUint(_ text: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard !text.isEmpty else { return nil }
        var base: UInt64 = 10
        var i = 0
        if text[0] == UInt8(ascii: "0") {
            if text.count >= 3 {
                switch text[1] | 0x20 {
                case UInt8(ascii: "b"): base = 2; i = 2
                case UInt8(ascii: "o"): base = 8; i = 2
                case UInt8(ascii: "x"): base = 16; i = 2
                default: base = 8; i = 1
                }
            } else {
                base = 8
                i = 1
            }
        }
        var value: UInt64 = 0
        while i < text.count {
            let c = text[i]
            let digit: UInt64
            switch c {
            case 0x30...0x39: digit = UInt64(c - 0x30)
            case 0x61...0x66: digit = UInt64(c - 0x61 + 10)
            case 0x41...0x46: digit = UInt64(c - 0x41 + 10)
            default: return nil
            }
            guard digit < base else { return nil }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: base)
            let (sum, overflow2) = shifted.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return nil }
            value = sum
            i += 1
        }
        return value
    }
}

/// Standard base64 as Go's `base64.StdEncoding.DecodeString` reads it (padding required, line
/// breaks ignored).
enum Base64 {
    static func decode(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(text.count * 3 / 4)
        var quad: UInt32 = 0
        var count = 0
        var padding = 0
        for c in text {
            let value: UInt32
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(c - UInt8(ascii: "a") + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(c - UInt8(ascii: "0") + 52)
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            case UInt8(ascii: "="):
                padding += 1
                value = 0
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                continue
            default:
                return nil
            }
            if padding > 0 && c != UInt8(ascii: "=") { return nil }
            quad = quad << 6 | value
            count += 1
            if count == 4 {
                guard padding <= 2 else { return nil }
                output.append(UInt8(truncatingIfNeeded: quad >> 16))
                if padding < 2 { output.append(UInt8(truncatingIfNeeded: quad >> 8)) }
                if padding < 1 { output.append(UInt8(truncatingIfNeeded: quad)) }
                quad = 0
                count = 0
            }
        }
        return count == 0 ? output : nil
    }
}
