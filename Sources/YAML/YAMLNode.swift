/// One node of a parsed YAML document: a scalar, a sequence or a mapping, with its position.
///
/// A node is a cheap handle (a reference to the stream's storage and an index), so copying and
/// passing nodes costs nothing. Aliases are followed transparently: an alias node reports the
/// kind, content and tag of its anchor but keeps its own position. Scalars are kept as written;
/// `toJSON()` resolves them with Kubernetes' rules (docs/yaml.md).
public struct YAMLNode: Sendable, CustomStringConvertible {
    /// What a node is.
    public enum Kind: Sendable, Hashable {
        case scalar, sequence, mapping
    }

    /// How a scalar was written; only plain scalars are resolved to booleans, numbers and null.
    public enum ScalarStyle: UInt8, Sendable, Hashable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    let storage: YAMLStorage
    let index: Int

    init(storage: YAMLStorage, index: Int) {
        self.storage = storage
        self.index = index
    }

    var targetIndex: Int { storage.target(index) }

    /// Whether this node is an alias (`*name`) of an anchored node.
    public var isAlias: Bool { storage.records[index].kind == .alias }

    /// The kind of the node (of its anchor, for an alias).
    public var kind: Kind {
        switch storage.records[targetIndex].kind {
        case .scalar, .alias: return .scalar
        case .sequence: return .sequence
        case .mapping: return .mapping
        }
    }

    /// Where the node starts in the source (for an alias, where the alias is written).
    public var mark: YAMLMark { storage.mark(index) }
    /// The file name given to the parser.
    public var file: String { storage.file }
    /// The 1-based line where the node starts.
    public var line: Int { Int(storage.records[index].line) }
    /// The 1-based column where the node starts.
    public var column: Int { Int(storage.records[index].column) }

    /// The explicit tag as libyaml expands it (`!!int` becomes `tag:yaml.org,2002:int`), or nil.
    public var tag: String? { storage.tag(targetIndex) }

    /// The anchor name if the node (or, for an alias, its target) was written with `&name`.
    public var anchor: String? { storage.anchorNames[Int32(targetIndex)] }

    /// The style of a scalar; nil for collections.
    public var scalarStyle: ScalarStyle? {
        let record = storage.records[targetIndex]
        return record.kind == .scalar ? record.style : nil
    }

    /// Whether a collection was written in flow style (`[a, b]`, `{a: b}`).
    public var isFlow: Bool { storage.records[targetIndex].flowStyle }

    /// The text of a scalar exactly as parsed (quotes removed, escapes applied), nil otherwise.
    public var scalar: String? {
        let target = targetIndex
        return storage.records[target].kind == .scalar ? storage.string(target) : nil
    }

    /// The elements of a sequence; empty for other kinds.
    public var elements: [YAMLNode] {
        let target = targetIndex
        let record = storage.records[target]
        guard record.kind == .sequence else { return [] }
        let start = Int(record.start)
        return (start..<start + Int(record.count)).map { YAMLNode(storage: storage, index: Int(storage.children[$0])) }
    }

    /// The key/value pairs of a mapping in source order, merge keys (`<<`) included as written;
    /// empty for other kinds. `toJSON()` applies merges.
    public var pairs: [(key: YAMLNode, value: YAMLNode)] {
        let target = targetIndex
        let record = storage.records[target]
        guard record.kind == .mapping else { return [] }
        let start = Int(record.start)
        return stride(from: start, to: start + Int(record.count), by: 2).map {
            (
                YAMLNode(storage: storage, index: Int(storage.children[$0])),
                YAMLNode(storage: storage, index: Int(storage.children[$0 + 1]))
            )
        }
    }

    /// The number of elements or pairs of a collection; 0 for scalars.
    public var count: Int {
        let record = storage.records[targetIndex]
        switch record.kind {
        case .sequence: return Int(record.count)
        case .mapping: return Int(record.count) / 2
        case .scalar, .alias: return 0
        }
    }

    /// The value of the first pair whose key is a scalar with exactly this text (no resolution,
    /// no merges), or nil.
    public subscript(key: String) -> YAMLNode? {
        for pair in pairs where pair.key.kind == .scalar && pair.key.scalar == key {
            return pair.value
        }
        return nil
    }

    /// The element at `position` of a sequence, or nil when out of range or not a sequence.
    public subscript(position: Int) -> YAMLNode? {
        let record = storage.records[targetIndex]
        guard record.kind == .sequence, position >= 0, position < Int(record.count) else { return nil }
        return YAMLNode(storage: storage, index: Int(storage.children[Int(record.start) + position]))
    }

    /// A short description for debugging: kind and position.
    public var description: String { "YAMLNode(\(kind) at \(mark))" }
}
