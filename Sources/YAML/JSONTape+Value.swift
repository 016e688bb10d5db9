extension JSONTape {
    /// The string of a string entry (checked when the tape was built, so this cannot fail).
    func string(at index: Int) -> String {
        let entry = entries[index]
        let start = Int(entry.start)
        if entry.flags & JSONTape.escaped == 0 {
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<Int(entry.end)]), as: UTF8.self)
        }
        var decoder = JSONStringDecoder(bytes: bytes, index: start)
        return (try? decoder.decode()) ?? ""
    }

    /// The value entry of the member of object `object` whose key is `name` (UTF-8), the last
    /// one if the key repeats (as encoding/json), or nil. Keys are compared as bytes; no `String`
    /// is made unless a key has escapes.
    ///
    /// When the tape saw that the object's keys are distinct, the search stops at the first
    /// match and starts after the member found last in the same object: `init(from:)` usually
    /// asks for keys in the order the server writes them, so most hits cost one comparison.
    func member(of object: Int, named name: UnsafeBufferPointer<UInt8>) -> Int? {
        let end = Int(entries[object].end)
        if keysRepeat(object) { return lastMember(of: object, end: end, named: name) }
        let first = object + 1
        let hint = lastFound.pointee
        let start = hint.object == object && hint.next < end ? hint.next : first
        if let found = firstMember(from: start, to: end, named: name) {
            lastFound.pointee = (object, next(found))
            return found
        }
        if start != first, let found = firstMember(from: first, to: start, named: name) {
            lastFound.pointee = (object, next(found))
            return found
        }
        return nil
    }

    /// `keysMayRepeat(object)`, worked out once per object and kept in its entry's flags.
    @inline(__always) func keysRepeat(_ object: Int) -> Bool {
        var flags = entries[object].flags
        if flags & JSONTape.keysChecked == 0 {
            flags = JSONTape.keysChecked | (keysMayRepeat(object) ? JSONTape.repeatedKeys : 0)
            entries[object].flags = flags
        }
        return flags & JSONTape.repeatedKeys != 0
    }

    /// Whether two members of `object` may have the same key: true when they do, or when a key
    /// has escapes (not compared then). Keys are hashed into a 64-bit mask (from their length and
    /// first and last eight bytes) and compared exactly only when two hashes meet. Done once per
    /// object that is looked into, so a document's other objects cost nothing.
    func keysMayRepeat(_ object: Int) -> Bool {
        let end = Int(entries[object].end)
        let raw = UnsafeRawBufferPointer(bytes)
        var seen: UInt64 = 0
        var child = object + 1
        while child < end {
            let key = entries[child]
            if key.flags & JSONTape.escaped != 0 { return true }
            let start = Int(key.start)
            let length = Int(key.end) - start
            var head: UInt64 = 0
            var tail: UInt64 = 0
            if length >= 8 {
                head = raw.loadUnaligned(fromByteOffset: start, as: UInt64.self)
                tail = raw.loadUnaligned(fromByteOffset: Int(key.end) - 8, as: UInt64.self)
            } else {
                for offset in 0..<length { head |= UInt64(bytes[start + offset]) << (offset * 8) }
            }
            let hash = (head &* 0x9E37_79B9_7F4A_7C15) ^ (tail &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(length)
            let bit = UInt64(1) << (hash >> 58)
            if seen & bit != 0, firstMember(from: object + 1, to: child, named: UnsafeBufferPointer(rebasing: bytes[start..<Int(key.end)])) != nil {
                return true
            }
            seen |= bit
            child = next(child + 1)
        }
        return false
    }

    /// Whether the (unescaped) key entry `key` spells `name`.
    @inline(__always) private func key(_ key: Entry, is name: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = Int(key.start)
        let length = name.count
        guard Int(key.end) - start == length else { return false }
        var offset = 0
        while offset < length, bytes[start + offset] == name[offset] { offset += 1 }
        return offset == length
    }

    /// The value of the first member keyed `name` among the members from key entry `start` up to
    /// `end` (both member boundaries of an object whose keys are unescaped).
    private func firstMember(from start: Int, to end: Int, named name: UnsafeBufferPointer<UInt8>) -> Int? {
        var child = start
        while child < end {
            if key(entries[child], is: name) { return child + 1 }
            child = next(child + 1)
        }
        return nil
    }

    /// The value of the last member keyed `name`: every member is compared.
    private func lastMember(of object: Int, end: Int, named name: UnsafeBufferPointer<UInt8>) -> Int? {
        var found: Int?
        var child = object + 1
        while child < end {
            if key(at: child, is: name) { found = child + 1 }
            child = next(child + 1)
        }
        return found
    }

    /// The document's text of the value at `index`, from its first byte to its last, as spelled
    /// there (what `RawJSON` keeps). The tape checked it, so it is valid UTF-8 and valid JSON.
    func text(at index: Int) -> String {
        String(decoding: textBytes(at: index), as: UTF8.self)
    }

    /// The bytes `text(at:)` makes its string of.
    func textBytes(at index: Int) -> UnsafeBufferPointer<UInt8> {
        let entry = entries[index]
        let start = entry.kind == .string ? Int(entry.start) - 1 : Int(entry.start)
        return UnsafeBufferPointer(rebasing: bytes[start..<byteEnd(index)])
    }

    /// Whether the key entry `index` spells `name`, escapes decoded.
    func key(at index: Int, is name: UnsafeBufferPointer<UInt8>) -> Bool {
        let entry = entries[index]
        if entry.flags & JSONTape.escaped != 0 { return string(at: index).utf8.elementsEqual(name) }
        return key(entry, is: name)
    }

    /// The offset just past the value at `index`. Containers do not record their closing
    /// bracket, so it is found after their last element (O(depth) and O(members) here, which
    /// keeps every entry at 16 bytes for the common path).
    func byteEnd(_ index: Int) -> Int {
        let entry = entries[index]
        switch entry.kind {
        case .string: return Int(entry.end) + 1
        case .number: return Int(entry.end)
        case .true, .null: return Int(entry.start) + 4
        case .false: return Int(entry.start) + 5
        case .integer:
            // An integer entry is `-?[0-9]+` (anything else is a `.number`).
            var offset = Int(entry.start)
            if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            while offset < bytes.count, bytes[offset] &- UInt8(ascii: "0") < 10 { offset += 1 }
            return offset
        case .object, .array:
            var position = Int(entry.start) + 1
            if entry.count > 0 {
                let end = Int(entry.end)
                var child = index + 1
                var last = child
                while child < end {
                    if entry.kind == .object { child += 1 }
                    last = child
                    child = next(child)
                }
                position = byteEnd(last)
            }
            while bytes[position] != UInt8(ascii: "}") && bytes[position] != UInt8(ascii: "]") { position += 1 }
            return position + 1
        }
    }

    /// The number of a number entry (integer or not).
    func double(at index: Int) -> Double {
        let entry = entries[index]
        if entry.kind == .integer { return Double(JSONTape.integer(entry)) }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[Int(entry.start)..<Int(entry.end)]), as: UTF8.self)
        return Double(text) ?? .nan
    }

    /// The `JSONValue` of the entry at `index` and its descendants. Duplicate keys keep the last
    /// value, as Go's encoding/json does.
    func value(at index: Int) -> JSONValue {
        let entry = entries[index]
        switch entry.kind {
        case .null: return .null
        case .true: return .bool(true)
        case .false: return .bool(false)
        case .integer: return .int(JSONTape.integer(entry))
        case .number: return .double(double(at: index))
        case .string: return .string(string(at: index))
        case .array:
            var elements: [JSONValue] = []
            elements.reserveCapacity(Int(entry.count))
            var child = index + 1
            let end = Int(entry.end)
            while child < end {
                elements.append(value(at: child))
                child = next(child)
            }
            return .array(elements)
        case .object:
            var members: [String: JSONValue] = Dictionary(minimumCapacity: Int(entry.count))
            var child = index + 1
            let end = Int(entry.end)
            while child < end {
                members[string(at: child)] = value(at: child + 1)
                child = next(child + 1)
            }
            return .object(members)
        }
    }

    /// The coding path of the value at `index`: the keys and element positions from the root
    /// down to it. Decoders over the tape keep no path of their own (a linked node per child
    /// was an allocation per field); errors and the rare `codingPath` reader derive it here,
    /// in time linear in the members and elements that precede the value.
    func path(to index: Int) -> [any CodingKey] {
        var keys: [any CodingKey] = []
        var container = 0
        while container != index, container < index {
            let entry = entries[container]
            guard entry.kind == .object || entry.kind == .array, index < Int(entry.end) else { break }
            let parent = container
            var child = container + 1
            var position = 0
            while child < Int(entry.end), container == parent {
                let value = entry.kind == .object ? child + 1 : child
                let after = next(value)
                if index < after {
                    if entry.kind == .object {
                        keys.append(MemberKey(string(at: child)))
                    } else {
                        keys.append(IndexKey(position))
                    }
                    container = value
                }
                child = after
                position += 1
            }
            if container == parent { break }
        }
        return keys
    }

    /// The noun for the entry's kind in error messages (as `JSONValue.kindName`).
    func kindName(at index: Int) -> String {
        switch entries[index].kind {
        case .null: return "null"
        case .true, .false: return "a boolean"
        case .integer: return "an integer"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "a mapping"
        }
    }
}
