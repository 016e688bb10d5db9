// A member's text copied from the document as it is spelled there, for a caller that keeps an
// object as compact text minus a few members: each value cut as a `RawJSON` string and joined
// again cost about 30,000 instructions per AuthorizationPolicy of a LIST (BENCHMARKS.md,
// "Controller", seventeenth round). The tape checked the whole document, so every piece copied
// is valid JSON.

extension JSONMember {
    /// Appends the member's key, quoted as the document spells it, and a colon.
    public func appendKey(to out: inout [UInt8]) {
        let entry = tape.entries[key]
        out.append(contentsOf: UnsafeBufferPointer(rebasing: tape.bytes[Int(entry.start) - 1..<Int(entry.end) + 1]))
        out.append(UInt8(ascii: ":"))
    }

    /// Appends the value's text as the document spells it (what `decode(RawJSON.self)` keeps;
    /// `null` for null).
    public func appendValue(to out: inout [UInt8]) {
        out.append(contentsOf: tape.textBytes(at: key + 1))
    }

    /// Appends an object value without its members keyed `omitted` (every one, if the key
    /// repeats); any other value as `appendValue(to:)` does.
    public func appendValue(to out: inout [UInt8], omitting omitted: StaticString) {
        let object = key + 1
        guard tape.entries[object].kind == .object else { return appendValue(to: &out) }
        let name = UnsafeBufferPointer(start: omitted.utf8Start, count: omitted.utf8CodeUnitCount)
        out.append(UInt8(ascii: "{"))
        var first = true
        var child = object + 1
        let end = Int(tape.entries[object].end)
        while child < end {
            if !tape.key(at: child, is: name) {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                out.append(contentsOf: tape.textBytes(at: child))
                out.append(UInt8(ascii: ":"))
                out.append(contentsOf: tape.textBytes(at: child + 1))
            }
            child = tape.next(child + 1)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// For an object value: the string value of its member keyed `name` (the last, if the key
    /// repeats), or nil when there is none or it is not a string. Nil for any other value.
    public func stringMember(_ name: StaticString) -> String? {
        let object = key + 1
        guard tape.entries[object].kind == .object else { return nil }
        let key = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        guard let value = tape.member(of: object, named: key), tape.entries[value].kind == .string else { return nil }
        return tape.string(at: value)
    }
}
