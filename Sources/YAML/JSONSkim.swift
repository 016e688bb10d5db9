/// Reads a few string members of a JSON object, chosen by path, without parsing the rest: the
/// members on the way are stepped over (strings eight bytes at a time), nothing is built for
/// them, and the skim stops as soon as every path has been read.
///
/// Why: a watch consumer that needs only an event's type and its object's name and version (to
/// know the echo of its own write) or a phase (to time it) paid for a whole tape of each line,
/// most of which is `managedFields` and the spec (BENCHMARKS.md, "Controller", nineteenth round).
///
/// Caveat: it checks only what it walks (each object's members up to the last one it needs:
/// keys, colons, commas, strings and balanced brackets), not that the whole text is JSON, and
/// scalars it steps over are not checked at all. It gives up (nil) on anything it cannot read
/// that way, a key with an escape included; callers parse the text fully then. A path found
/// twice (a duplicated key) is read where it is first.
public struct JSONSkim: Sendable {
    private let paths: [[[UInt8]]]

    /// A skim for `paths` (at most 64), each a list of member names from the outer object down;
    /// an empty path reads nothing (its answer is nil).
    public init(paths: [[String]]) {
        precondition(paths.count <= 64, "a skim reads at most 64 paths")
        self.paths = paths.map { path in path.map { Array($0.utf8) } }
    }

    /// The string at each path of `bytes` (a JSON object), in the order of the paths; nil for a
    /// path that is absent or whose value is not a string; nil instead of the whole answer when
    /// the text cannot be read this way.
    public func strings(in bytes: [UInt8]) -> [String?]? {
        bytes.withUnsafeBufferPointer { strings(in: $0) }
    }

    /// The same over a buffer.
    public func strings(in bytes: UnsafeBufferPointer<UInt8>) -> [String?]? {
        guard let base = bytes.baseAddress else { return nil }
        var cursor = Cursor(base: base, count: bytes.count)
        var found = [String?](repeating: nil, count: paths.count)
        var missing = paths.count { !$0.isEmpty }
        cursor.skipSpace()
        guard cursor.at(UInt8(ascii: "{")) else { return nil }
        var all: UInt64 = 0
        for (number, path) in paths.enumerated() where !path.isEmpty { all |= 1 << UInt64(number) }
        switch cursor.object(paths: paths, level: 0, candidates: all, found: &found, missing: &missing) {
        case .failed: return nil
        case .closed, .complete: return found
        }
    }
}

/// Reads through the bytes; every read is checked against `count`.
private struct Cursor {
    let base: UnsafePointer<UInt8>
    let count: Int
    var index = 0

    enum Outcome { case failed, closed, complete }

    init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.count = count
    }

    func at(_ byte: UInt8) -> Bool { index < count && base[index] == byte }

    mutating func skipSpace() {
        while index < count {
            switch base[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): index += 1
            default: return
            }
        }
    }

    /// From inside a string (after its opening quote): the index of its closing quote, and whether
    /// it holds an escape; nil for a string that does not end or holds a raw control character.
    /// Eight bytes at a time until a quote, a backslash or a control byte (`JSONStringBytes`).
    func endOfString(from start: Int) -> (end: Int, escaped: Bool)? {
        var index = start
        var escaped = false
        let bytes = UnsafeBufferPointer(start: base, count: count)
        while true {
            index = JSONStringBytes.firstSpecial(in: bytes, from: index)
            guard index < count else { return nil }
            switch base[index] {
            case UInt8(ascii: "\""): return (index, escaped)
            case UInt8(ascii: "\\"):
                escaped = true
                index += 2
            default: return nil
            }
        }
    }

    /// Steps over one value: a string, a whole object or array (brackets counted, strings
    /// stepped over), or a scalar up to the byte that ends it.
    mutating func skipValue() -> Bool {
        guard index < count else { return false }
        switch base[index] {
        case UInt8(ascii: "\""):
            guard let string = endOfString(from: index + 1) else { return false }
            index = string.end + 1
            return true
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var position = index
            while position < count {
                let byte = base[position]
                if byte == UInt8(ascii: "\"") {
                    guard let string = endOfString(from: position + 1) else { return false }
                    position = string.end + 1
                    continue
                }
                // `{` and `[`, `}` and `]` differ only in the bit 0x20.
                switch byte | 0x20 {
                case UInt8(ascii: "{"): depth += 1
                case UInt8(ascii: "}"):
                    depth -= 1
                    if depth == 0 {
                        index = position + 1
                        return true
                    }
                default: break
                }
                position += 1
            }
            return false
        default:
            let start = index
            while index < count {
                switch base[index] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: " "), UInt8(ascii: "\n"),
                    UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                    return index > start
                default:
                    index += 1
                }
            }
            return index > start
        }
    }

    /// Whether the key at `start..<end` is `name`.
    func key(_ start: Int, _ end: Int, is name: [UInt8]) -> Bool {
        guard end - start == name.count else { return false }
        for offset in 0..<name.count where base[start + offset] != name[offset] { return false }
        return true
    }

    /// At an object's opening brace: reads its members, the strings of the paths among
    /// `candidates` (a bit per path whose first `level` names led here) into `found`, going into
    /// the objects that lead further. `.complete` once nothing is missing (the rest is not read).
    mutating func object(paths: [[[UInt8]]], level: Int, candidates: UInt64, found: inout [String?], missing: inout Int)
        -> Outcome
    {
        index += 1
        skipSpace()
        if at(UInt8(ascii: "}")) {
            index += 1
            return .closed
        }
        while true {
            skipSpace()
            guard at(UInt8(ascii: "\"")), let name = endOfString(from: index + 1), !name.escaped else { return .failed }
            let nameStart = index + 1
            index = name.end + 1
            skipSpace()
            guard at(UInt8(ascii: ":")) else { return .failed }
            index += 1
            skipSpace()
            guard index < count else { return .failed }
            var deeper: UInt64 = 0
            var leaves: UInt64 = 0
            var remaining = candidates
            while remaining != 0 {
                let candidate = remaining.trailingZeroBitCount
                remaining &= remaining &- 1
                guard key(nameStart, name.end, is: paths[candidate][level]) else { continue }
                if paths[candidate].count > level + 1 { deeper |= 1 << UInt64(candidate) } else { leaves |= 1 << UInt64(candidate) }
            }
            var read = false
            if leaves != 0, at(UInt8(ascii: "\"")) {
                var decoder = JSONStringDecoder(bytes: UnsafeBufferPointer(start: base, count: count), index: index + 1)
                guard let text = try? decoder.decode() else { return .failed }
                index = decoder.index
                read = true
                while leaves != 0 {
                    let leaf = leaves.trailingZeroBitCount
                    leaves &= leaves &- 1
                    if found[leaf] == nil {
                        found[leaf] = text
                        missing -= 1
                    }
                }
            }
            if missing == 0 { return .complete }
            if !read {
                if deeper != 0, at(UInt8(ascii: "{")) {
                    switch object(paths: paths, level: level + 1, candidates: deeper, found: &found, missing: &missing) {
                    case .failed: return .failed
                    case .complete: return .complete
                    case .closed: break
                    }
                } else if !skipValue() {
                    return .failed
                }
            }
            skipSpace()
            guard index < count else { return .failed }
            switch base[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .closed
            default: return .failed
            }
        }
    }
}
