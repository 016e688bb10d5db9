/// The arena that holds every node of one parsed stream.
///
/// Nodes are plain records in one array, scalar text lives in one byte buffer and children in one
/// index array, so building a tree costs a few appends per event instead of an allocation per
/// node. The storage is immutable once built (only `let`s), hence `Sendable`.
final class YAMLStorage: Sendable {
    enum Kind: UInt8 {
        case scalar, sequence, mapping, alias
    }

    /// One node. `start`/`count` address `bytes` for scalars, `children` for collections
    /// (mappings hold key, value, key, value, ...), and `start` is the target node for aliases.
    struct Record {
        var kind: Kind
        var style: YAMLNode.ScalarStyle
        var flowStyle: Bool
        var line: UInt32
        var column: UInt32
        var tag: Int32
        var start: UInt32
        var count: UInt32
    }

    let file: String
    let records: [Record]
    let bytes: [UInt8]
    let children: [UInt32]
    let tags: [String]
    let anchorNames: [Int32: String]

    init(
        file: String, records: [Record], bytes: [UInt8], children: [UInt32], tags: [String],
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
        let tag = records[index].tag
        return tag < 0 ? nil : tags[Int(tag)]
    }
}
