extension JSONTape {
    /// The string of a string entry (checked when the tape was built, so this cannot fail).
    func string(at index: Int) -> String {
        let entry = entries[index]
        let start = Int(entry.start)
        if entry.flags & JSONTape.escaped == 0 {
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<Int(entry.end)]), as: UTF8.self)
        }
        var decoder = JSONStringDecoder(bytes: UnsafeBufferPointer(bytes), index: start)
        return (try? decoder.decode()) ?? ""
    }

    /// The value entry of the member of object `object` whose key is `name` (UTF-8), the last
    /// one if the key repeats (as encoding/json), or nil. Keys are compared as bytes; no `String`
    /// is made unless a key has escapes.
    func member(of object: Int, named name: UnsafeBufferPointer<UInt8>) -> Int? {
        let end = Int(entries[object].end)
        let length = name.count
        var found: Int?
        var child = object + 1
        while child < end {
            let key = entries[child]
            let start = Int(key.start)
            if key.flags & JSONTape.escaped != 0 {
                if string(at: child).utf8.elementsEqual(name) { found = child + 1 }
            } else if Int(key.end) - start == length {
                var offset = 0
                while offset < length, bytes[start + offset] == name[offset] { offset += 1 }
                if offset == length { found = child + 1 }
            }
            child = next(child + 1)
        }
        return found
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
