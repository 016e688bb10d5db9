/// The arena that holds every node of one parsed stream.
///
/// Nodes are plain records in one array, scalar text lives in one byte buffer and children in one
/// index array, so building a tree costs a few appends per event instead of an allocation per
/// node. The storage is immutable once built (only `let`s), hence `Sendable`.
final class YAMLStorage: Sendable {
    enum Kind: UInt8 {
        case scalar, sequence, mapping, alias
    }

    /// One node in 16 bytes (the arena's size is what a large stream costs). `start`/`count`
    /// address `bytes` for scalars, `children` for collections (mappings hold key, value, key,
    /// value, ...), and `start` is the target node for aliases. `packed` holds the column (24
    /// bits, saturated at 16,777,215), the kind, the scalar style, the flow flag and whether the
    /// node has a tag (tags are rare, so they live in a side table).
    struct Record {
        var start: UInt32
        var count: UInt32
        var line: UInt32
        var packed: UInt32

        init(
            kind: Kind, style: YAMLNode.ScalarStyle, flowStyle: Bool, line: UInt32, column: UInt32, hasTag: Bool,
            start: UInt32, count: UInt32
        ) {
            self.start = start
            self.count = count
            self.line = line
            packed = min(column, 0xFF_FFFF) | UInt32(kind.rawValue) << 24 | UInt32(style.rawValue) << 26
                | (flowStyle ? 1 << 29 : 0) | (hasTag ? 1 << 30 : 0)
        }

        var column: UInt32 { packed & 0xFF_FFFF }
        var kind: Kind { Kind(rawValue: UInt8(truncatingIfNeeded: packed >> 24) & 3) ?? .scalar }
        var style: YAMLNode.ScalarStyle { YAMLNode.ScalarStyle(rawValue: UInt8(truncatingIfNeeded: packed >> 26) & 7) ?? .plain }
        var flowStyle: Bool { packed & (1 << 29) != 0 }
        var hasTag: Bool { packed & (1 << 30) != 0 }
    }

    let file: String
    let records: [Record]
    let bytes: [UInt8]
    let children: [UInt32]
    let tags: [Int32: String]
    let anchorNames: [Int32: String]

    init(
        file: String, records: [Record], bytes: [UInt8], children: [UInt32], tags: [Int32: String],
        anchorNames: [Int32: String]
    ) {
        self.file = file
        self.records = records
        self.bytes = bytes
        self.children = children
        self.tags = tags
        self.anchorNames = anchorNames
    }

    func mark(_ index: Int) -> YAMLMark {
        let record = records[index]
        return YAMLMark(file: file, line: Int(record.line), column: Int(record.column))
    }

    /// Follows aliases to the node they stand for.
    func target(_ index: Int) -> Int {
        var index = index
        while records[index].kind == .alias { index = Int(records[index].start) }
        return index
    }

    func string(_ index: Int) -> String {
        let record = records[index]
        return bytes.withUnsafeBufferPointer { buffer in
            String(decoding: UnsafeBufferPointer(rebasing: buffer[Int(record.start)..<Int(record.start + record.count)]), as: UTF8.self)
        }
    }

    func tag(_ index: Int) -> String? {
        records[index].hasTag ? tags[Int32(truncatingIfNeeded: index)] : nil
    }
}
