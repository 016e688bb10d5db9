/// A parsed JSON document as a flat tape: one entry per value, in document order, pointing into
/// the document's bytes. It is what `JSONParser` builds (the project's one JSON parser); a
/// `JSONValue` is made from it, or `JSONValueDecoder.decode(_:fromJSON:)` decodes typed values
/// straight from it without building a tree.
///
/// Layout: an object entry is followed by its members, each a key (a string entry) and its value;
/// an array entry by its elements. A container entry records the index just past its last
/// descendant, so skipping a value is O(1). Strings are not decoded while parsing (only checked:
/// escapes, control characters, UTF-8), so a key or value that nobody reads costs no `String`.
/// Integers that fit `Int64` are stored accumulated; other numbers keep their byte range.
///
/// Caveat: documents are limited to 4 GiB (offsets are 32-bit); larger input is refused.
final class JSONTape {
    enum Kind: UInt8 {
        case null, `true`, `false`, integer, number, string, object, array
    }

    struct Entry {
        var kind: Kind
        /// Strings: contains a backslash escape (`escaped`) or a byte above 0x7F (`nonASCII`).
        /// Objects: `keysChecked` once a lookup checked whether a key repeats, `repeatedKeys` if
        /// one does (see `member(of:named:)`).
        var flags: UInt8
        /// Offset of the value's first byte (for strings, after the quote).
        var start: UInt32
        /// Strings and non-integer numbers: the end offset (exclusive; before the closing quote).
        /// Containers: the index of the entry after the container's last descendant.
        /// Integers: the high 32 bits of the value.
        var end: UInt32
        /// Containers: the number of members or elements. Integers: the low 32 bits of the value.
        var count: UInt32
    }

    static let escaped: UInt8 = 1
    static let nonASCII: UInt8 = 2
    /// On an object: two members have the same key, or a key has escapes (not checked then).
    static let repeatedKeys: UInt8 = 4
    /// On an object: `repeatedKeys` is known.
    static let keysChecked: UInt8 = 8

    /// The document's bytes: the caller's buffer while `read(_:_:)` runs (no copy of a 9 MB
    /// body), then a private copy if the tape outlives the read (see `keepOwnBytes()`). Raw
    /// memory rather than a stored `var`, so reading it costs no exclusivity check.
    private let document: UnsafeMutablePointer<(bytes: UnsafeBufferPointer<UInt8>, owned: Bool)>
    @inline(__always) var bytes: UnsafeBufferPointer<UInt8> { document.pointee.bytes }
    /// The entries, owned by the tape. A raw buffer rather than an `Array`: reading an array held
    /// by a class retains and releases its storage around each access, and the decoder reads
    /// entries millions of times per LIST.
    let entries: UnsafeMutableBufferPointer<Entry>
    /// Where the last member lookup succeeded: the object's entry and the entry after the member
    /// found (see `member(of:named:)`). Raw memory for the same reason as `document`; only a
    /// hint, so any value is safe.
    let lastFound: UnsafeMutablePointer<(object: Int, next: Int)>
    /// Key → value entry of objects of many members, by object entry, made on the first lookup
    /// (raw memory for the same reason as `document`).
    let keyIndexes: UnsafeMutablePointer<[Int: [String: Int]]>

    /// A tape over `input`, which must stay valid and unchanged until `keepOwnBytes()` or the end
    /// of the tape's life, whichever comes first.
    private init(borrowing input: UnsafeBufferPointer<UInt8>, entries: UnsafeMutableBufferPointer<Entry>) {
        document = .allocate(capacity: 1)
        document.initialize(to: (input, false))
        self.entries = entries
        lastFound = .allocate(capacity: 1)
        lastFound.initialize(to: (-1, 0))
        keyIndexes = .allocate(capacity: 1)
        keyIndexes.initialize(to: [:])
    }

    deinit {
        if document.pointee.owned { document.pointee.bytes.deallocate() }
        document.deallocate()
        entries.baseAddress?.deallocate()
        lastFound.deallocate()
        keyIndexes.deinitialize(count: 1)
        keyIndexes.deallocate()
    }

    /// Replaces the borrowed bytes with a private copy, for a tape that outlives its read.
    func keepOwnBytes() {
        guard !document.pointee.owned else { return }
        let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, bytes.count))
        _ = copy.initialize(from: bytes)
        document.pointee = (UnsafeBufferPointer(rebasing: copy[0..<bytes.count]), true)
    }

    /// Parses one JSON value spanning the whole input (whitespace around it is allowed) and runs
    /// `body` with the tape, or with the failure. The tape reads `input` in place; if it is still
    /// referenced when `body` returns (a type kept a decoder), it takes a copy of the bytes first,
    /// so it stays valid whatever the caller does with `input` afterwards.
    static func read<R>(_ input: some Collection<UInt8>, _ body: (Result<JSONTape, JSONParser.Failure>) throws -> R) rethrows -> R {
        if let result = try input.withContiguousStorageIfAvailable({ try read(buffer: $0, body) }) { return result }
        return try Array(input).withUnsafeBufferPointer { try read(buffer: $0, body) }
    }

    private static func read<R>(buffer: UnsafeBufferPointer<UInt8>, _ body: (Result<JSONTape, JSONParser.Failure>) throws -> R) rethrows -> R {
        var tape: JSONTape
        switch parse(buffer: buffer) {
        case .failure(let failure): return try body(.failure(failure))
        case .success(let parsed): tape = parsed
        }
        defer { if !isKnownUniquelyReferenced(&tape) { tape.keepOwnBytes() } }
        return try body(.success(tape))
    }

    private static func parse(buffer: UnsafeBufferPointer<UInt8>) -> Result<JSONTape, JSONParser.Failure> {
        guard buffer.count < Int(UInt32.max) else {
            return .failure(JSONParser.Failure(message: "document larger than 4 GiB", offset: 0))
        }
        // About one entry per 10 bytes of Kubernetes JSON; reserving once avoids copying the tape
        // as it grows (untouched capacity costs no memory).
        var builder = Builder(bytes: buffer, capacity: buffer.count / 8 + 4)
        do throws(JSONParser.Failure) {
            builder.skipWhitespace()
            try builder.parseValue()
            builder.skipWhitespace()
            if builder.index != buffer.count {
                throw JSONParser.Failure(message: "invalid character after top-level value", offset: builder.index)
            }
        } catch {
            builder.entries.deallocate()
            return .failure(error)
        }
        return .success(JSONTape(borrowing: buffer, entries: builder.entries.finish()))
    }

    /// The index of the entry after `index`'s value (and all its descendants).
    @inline(__always) func next(_ index: Int) -> Int {
        let entry = entries[index]
        return entry.kind.rawValue >= Kind.object.rawValue ? Int(entry.end) : index + 1
    }

    /// An integer entry's value.
    @inline(__always) static func integer(_ entry: Entry) -> Int64 {
        Int64(bitPattern: UInt64(entry.end) << 32 | UInt64(entry.count))
    }
}

extension JSONTape {
    /// The scanner: strict RFC 8259 with encoding/json's error messages, 200 levels deep at most.
    struct Builder {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        var depth = 0
        var entries: EntryBuffer
        static let maxDepth = 200

        init(bytes: UnsafeBufferPointer<UInt8>, capacity: Int) {
            self.bytes = bytes
            entries = EntryBuffer(capacity: capacity)
        }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x0A, 0x0D, 0x09: index += 1
                default: return
                }
            }
        }

        func fail(_ message: String) -> JSONParser.Failure { JSONParser.Failure(message: message, offset: index) }

        mutating func parseValue() throws(JSONParser.Failure) {
            guard index < bytes.count else { throw fail("unexpected end of JSON input") }
            switch bytes[index] {
            case UInt8(ascii: "{"): try parseObject()
            case UInt8(ascii: "["): try parseArray()
            case UInt8(ascii: "\""): try parseString()
            // Literals record where they start, so `RawJSON` can cut any value's text.
            case UInt8(ascii: "t"): try expectLiteral("true"); append(.true, start: index - 4)
            case UInt8(ascii: "f"): try expectLiteral("false"); append(.false, start: index - 5)
            case UInt8(ascii: "n"): try expectLiteral("null"); append(.null, start: index - 4)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try parseNumber()
            default:
                throw fail("invalid character '\(Character(Unicode.Scalar(bytes[index])))' looking for beginning of value")
            }
        }

        @inline(__always) mutating func append(_ kind: Kind, flags: UInt8 = 0, start: Int = 0, end: UInt32 = 0, count: UInt32 = 0) {
            entries.append(Entry(kind: kind, flags: flags, start: UInt32(truncatingIfNeeded: start), end: end, count: count))
        }

        mutating func expectLiteral(_ literal: StaticString) throws(JSONParser.Failure) {
            let count = literal.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw fail("unexpected end of JSON input") }
            let start = literal.utf8Start
            for offset in 0..<count where bytes[index + offset] != start[offset] {
                throw fail("invalid literal")
            }
            index += count
        }

        mutating func enter() throws(JSONParser.Failure) {
            depth += 1
            if depth > Self.maxDepth { throw fail("exceeded max depth of \(Self.maxDepth)") }
        }

        mutating func parseObject() throws(JSONParser.Failure) {
            try enter()
            defer { depth -= 1 }
            let position = entries.count
            append(.object, start: index)
            index += 1
            var members: UInt32 = 0
            defer {
                entries[position].end = UInt32(truncatingIfNeeded: entries.count)
                entries[position].count = members
            }
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return
            }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    throw fail("looking for beginning of object key string")
                }
                try parseString()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("after object key") }
                index += 1
                skipWhitespace()
                try parseValue()
                members += 1
                skipWhitespace()
                guard index < bytes.count else { throw fail("unexpected end of JSON input") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return }
                throw fail("after object key:value pair")
            }
        }

        mutating func parseArray() throws(JSONParser.Failure) {
            try enter()
            defer { depth -= 1 }
            let position = entries.count
            append(.array, start: index)
            index += 1
            var elements: UInt32 = 0
            defer {
                entries[position].end = UInt32(truncatingIfNeeded: entries.count)
                entries[position].count = elements
            }
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return
            }
            while true {
                skipWhitespace()
                try parseValue()
                elements += 1
                skipWhitespace()
                guard index < bytes.count else { throw fail("unexpected end of JSON input") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return }
                throw fail("after array element")
            }
        }

        /// Scans a string; escaped or non-ASCII strings are decoded once here to check them
        /// (invalid escapes, invalid UTF-8), and again only if someone reads them.
        mutating func parseString() throws(JSONParser.Failure) {
            index += 1
            let start = index
            var allBits: UInt8 = 0
            // Eight bytes at a time while none of them ends the fast path (a quote, a backslash,
            // a control character); the byte loop below finishes the string.
            let words = UnsafeRawBufferPointer(bytes)
            var wordBits: UInt64 = 0
            while index + 8 <= bytes.count {
                let word = UInt64(littleEndian: words.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                let special = JSONStringBytes.special(in: word)
                if special != 0 {
                    // The first special byte is exact: the bytes before it join the string, and a
                    // quote ends it here, without the byte loop (most strings are keys and short
                    // values that end inside their first or second word).
                    let offset = special.trailingZeroBitCount >> 3
                    wordBits |= word & ((1 << (UInt64(offset) << 3)) &- 1)
                    index += offset
                    if bytes[index] == UInt8(ascii: "\""), wordBits & 0x8080_8080_8080_8080 == 0 {
                        append(.string, start: start, end: UInt32(truncatingIfNeeded: index))
                        index += 1
                        return
                    }
                    break
                }
                wordBits |= word
                index += 8
            }
            if wordBits & 0x8080_8080_8080_8080 != 0 { allBits = 0x80 }
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let flags = allBits < 0x80 ? 0 : JSONTape.nonASCII
                    if flags != 0, String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self) == nil {
                        throw JSONParser.Failure(message: "invalid UTF-8 in string", offset: start)
                    }
                    append(.string, flags: flags, start: start, end: UInt32(truncatingIfNeeded: index))
                    index += 1
                    return
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                allBits |= byte
                index += 1
            }
            // Slow path: escapes (or an error). Decode to find the end and check the content.
            var scanner = JSONStringDecoder(bytes: bytes, index: start)
            _ = try scanner.decode()
            append(.string, flags: JSONTape.escaped | JSONTape.nonASCII, start: start, end: UInt32(truncatingIfNeeded: scanner.index - 1))
            index = scanner.index
        }

        func isDigit(_ position: Int) -> Bool {
            position < bytes.count && bytes[position] &- UInt8(ascii: "0") < 10
        }

        mutating func parseNumber() throws(JSONParser.Failure) {
            let start = index
            let negative = bytes[index] == UInt8(ascii: "-")
            if negative { index += 1 }
            guard isDigit(index) else { throw fail("in numeric literal") }
            // Integers are accumulated as they are scanned (no text round trip); one that
            // overflows Int64 is kept as a float, as encoding/json into interface{} would not.
            var magnitude: UInt64 = 0
            var overflow = false
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
            } else {
                while isDigit(index) {
                    let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = times10.addingReportingOverflow(UInt64(bytes[index] &- UInt8(ascii: "0")))
                    overflow = overflow || o1 || o2
                    magnitude = sum
                    index += 1
                }
            }
            var isInteger = true
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                isInteger = false
                index += 1
                guard isDigit(index) else { throw fail("after decimal point in numeric literal") }
                while isDigit(index) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                isInteger = false
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard isDigit(index) else { throw fail("in exponent of numeric literal") }
                while isDigit(index) { index += 1 }
            }
            if isInteger, !overflow {
                var value: Int64?
                if negative, magnitude <= UInt64(Int64.max) + 1 { value = Int64(truncatingIfNeeded: 0 &- magnitude) }
                if !negative, magnitude <= UInt64(Int64.max) { value = Int64(magnitude) }
                if let value {
                    let bits = UInt64(bitPattern: value)
                    append(.integer, start: start, end: UInt32(truncatingIfNeeded: bits >> 32), count: UInt32(truncatingIfNeeded: bits))
                    return
                }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            guard Double(text) != nil else { throw JSONParser.Failure(message: "invalid number", offset: start) }
            append(.number, start: start, end: UInt32(truncatingIfNeeded: index))
        }
    }
}
