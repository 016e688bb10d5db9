import CLibYAML

/// Reads YAML streams with libyaml into `YAMLNode` trees and Kubernetes JSON values.
///
/// Guarantees: every node knows its file, line and column; aliases must refer to an anchor defined
/// earlier in the same document; the bounds of `YAMLOptions` hold for any input, so untrusted text
/// gives an error, never a crash. Caveats: duplicate keys and values that JSON cannot hold are
/// reported by `toJSON()`/decoding, which define what a key is (its JSON string).
public struct YAMLParser: Sendable {
    /// The safety bounds in force.
    public var options: YAMLOptions

    /// Creates a parser with the given bounds.
    public init(options: YAMLOptions = YAMLOptions()) {
        self.options = options
    }

    /// Parses every document of a stream (`---`-separated) into its root node.
    ///
    /// An empty stream gives no documents; an empty document (`---` alone) gives a null scalar.
    /// - Throws: `YAMLError` naming `file:line:column` of the first problem.
    public func parseDocuments(_ text: String, file: String = "<input>") throws -> [YAMLNode] {
        var text = text
        return try text.withUTF8 { try parseDocuments(bytes: $0, file: file) }
    }

    /// Parses every document of a UTF-8 (or UTF-16 with BOM) byte stream into its root node.
    public func parseDocuments(_ bytes: [UInt8], file: String = "<input>") throws -> [YAMLNode] {
        try bytes.withUnsafeBufferPointer { try parseDocuments(bytes: $0, file: file) }
    }

    /// Parses a stream that must hold exactly one document (an empty stream counts as one null).
    /// - Throws: `YAMLError.syntax` if the stream holds several documents.
    public func parseDocument(_ text: String, file: String = "<input>") throws -> YAMLNode {
        let documents = try parseDocuments(text, file: file)
        return try single(documents, file: file)
    }

    /// Parses a stream and converts every document to JSON as kubectl does (docs/yaml.md).
    public func parseJSONDocuments(_ text: String, file: String = "<input>") throws -> [JSONValue] {
        var text = text
        return try text.withUTF8 { try parseJSONDocuments(bytes: $0, file: file) }
    }

    /// Parses a stream of UTF-8 bytes and converts every document to JSON as kubectl does.
    public func parseJSONDocuments(_ bytes: [UInt8], file: String = "<input>") throws -> [JSONValue] {
        try bytes.withUnsafeBufferPointer { try parseJSONDocuments(bytes: $0, file: file) }
    }

    private func parseJSONDocuments(bytes: UnsafeBufferPointer<UInt8>, file: String) throws -> [JSONValue] {
        var values: [JSONValue] = []
        try forEachDocument(bytes: bytes, file: file) { values.append(try $0.toJSON(options: options)) }
        return values
    }

    /// Calls `body` with each document's root as soon as that document is parsed, so only one
    /// document's nodes are in memory at a time (and they are still in the CPU cache when `body`
    /// reads them). Nodes stay valid after `body` returns if it keeps them.
    /// - Throws: the first `YAMLError` of the stream, or what `body` throws; documents before an
    ///   error have already been handed to `body`.
    public func forEachDocument(
        bytes: UnsafeBufferPointer<UInt8>, file: String, _ body: (YAMLNode) throws -> Void
    ) throws {
        try checkLineLengths(bytes, file: file)
        var builder = TreeBuilder(file: file, maxDepth: options.maxDepth, inputSize: min(bytes.count, 1 << 16))
        _ = try builder.build(bytes, perDocument: true, onDocument: body)
    }

    /// Parses a one-document stream and converts it to JSON as kubectl does.
    public func parseJSON(_ text: String, file: String = "<input>") throws -> JSONValue {
        try parseDocument(text, file: file).toJSON(options: options)
    }

    private func single(_ documents: [YAMLNode], file: String) throws -> YAMLNode {
        if documents.count > 1 {
            throw YAMLError.syntax(
                documents[1].mark, message: "expected one YAML document but found \(documents.count); split the stream or read it with parseDocuments")
        }
        if let document = documents.first { return document }
        return try parseDocuments("null", file: file)[0]
    }

    /// Parses raw bytes; the buffer only needs to live for the duration of the call.
    public func parseDocuments(bytes: UnsafeBufferPointer<UInt8>, file: String) throws -> [YAMLNode] {
        try checkLineLengths(bytes, file: file)
        var builder = TreeBuilder(file: file, maxDepth: options.maxDepth, inputSize: bytes.count)
        return try builder.build(bytes)
    }

    /// Refuses overlong lines before libyaml buffers them (see `YAMLOptions.maxLineBytes`).
    private func checkLineLengths(_ bytes: UnsafeBufferPointer<UInt8>, file: String) throws {
        guard bytes.count > options.maxLineBytes, let base = bytes.baseAddress else { return }
        var lineStart = 0
        var line = 1
        while lineStart < bytes.count {
            let remaining = bytes.count - lineStart
            let found = memchr(base + lineStart, 0x0A, remaining)
            let lineEnd = found.map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? bytes.count
            if lineEnd - lineStart > options.maxLineBytes {
                throw YAMLError.limitExceeded(
                    YAMLMark(file: file, line: line, column: 1),
                    message: "line is \(lineEnd - lineStart) bytes long, more than the limit of \(options.maxLineBytes) bytes; break the value over several lines (a block scalar) or raise YAMLOptions.maxLineBytes")
            }
            lineStart = lineEnd + 1
            line += 1
        }
    }
}

/// The event loop: libyaml events into a `YAMLStorage` arena.
private struct TreeBuilder {
    let file: String
    let maxDepth: Int
    var records: [YAMLStorage.Record] = []
    var bytes: [UInt8] = []
    var children: [UInt32] = []
    var tags: [Int32: String] = [:]
    var internedTags: [String: String] = [:]
    var anchors: [String: Int32] = [:]
    var anchorNames: [Int32: String] = [:]
    /// Children of the collections still open, in order; each frame owns a suffix.
    var pending: [UInt32] = []
    /// Open collections: their record and where their children start in `pending`.
    var frames: [(record: Int, pendingStart: Int)] = []
    var roots: [Int] = []

    init(file: String, maxDepth: Int, inputSize: Int) {
        self.file = file
        self.maxDepth = maxDepth
        // Scalar text never exceeds the input, and Kubernetes-style YAML has about one node per 10
        // bytes: reserving generously avoids copying the arena while it grows, and pages that are
        // reserved but never written cost nothing.
        records.reserveCapacity(inputSize / 6 + 16)
        bytes.reserveCapacity(inputSize + 16)
        children.reserveCapacity(inputSize / 6 + 16)
        pending.reserveCapacity(256)
        frames.reserveCapacity(64)
    }

    /// Builds the whole stream into one arena and returns the roots or, with `onDocument`, hands
    /// each document over in an arena of its own as soon as it ends and returns no roots.
    mutating func build(
        _ input: UnsafeBufferPointer<UInt8>, perDocument: Bool = false, onDocument: (YAMLNode) throws -> Void = { _ in }
    ) throws -> [YAMLNode] {
        guard input.count < Int(UInt32.max) else {
            throw YAMLError.limitExceeded(
                YAMLMark(file: file, line: 1, column: 1), message: "input is larger than 4 GiB; split it into several streams")
        }
        // An empty buffer may have no base address, and an empty stream has no documents.
        guard let base = input.baseAddress, !input.isEmpty else { return [] }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw YAMLError.limitExceeded(YAMLMark(file: file, line: 1, column: 1), message: "libyaml could not allocate its parser")
        }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_input_string(&parser, base, input.count)

        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else {
                throw syntaxError(parser, input: input)
            }
            defer { yaml_event_delete(&event) }
            let line = UInt32(truncatingIfNeeded: event.start_mark.line + 1)
            let column = UInt32(truncatingIfNeeded: event.start_mark.column + 1)
            switch event.type {
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let start = UInt32(truncatingIfNeeded: bytes.count)
                if scalar.length > 0, let value = scalar.value {
                    bytes.append(contentsOf: UnsafeBufferPointer(start: value, count: scalar.length))
                }
                let style: YAMLNode.ScalarStyle
                switch scalar.style {
                case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
                case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
                case YAML_LITERAL_SCALAR_STYLE: style = .literal
                case YAML_FOLDED_SCALAR_STYLE: style = .folded
                default: style = .plain
                }
                let node = Int32(truncatingIfNeeded: records.count)
                records.append(
                    YAMLStorage.Record(
                        kind: .scalar, style: style, flowStyle: false, line: line, column: column,
                        hasTag: scalar.tag != nil, start: start, count: UInt32(truncatingIfNeeded: scalar.length)))
                if let tag = scalar.tag { record(tag: tag, node: node) }
                if let anchor = scalar.anchor { define(anchor: anchor, node: node) }
                pending.append(UInt32(bitPattern: node))
            case YAML_MAPPING_START_EVENT, YAML_SEQUENCE_START_EVENT:
                let isMapping = event.type == YAML_MAPPING_START_EVENT
                if frames.count >= maxDepth {
                    throw YAMLError.limitExceeded(
                        YAMLMark(file: file, line: Int(line), column: Int(column)),
                        message: "nesting is deeper than \(maxDepth) levels; flatten the document or raise YAMLOptions.maxDepth")
                }
                let anchor = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
                let tag = isMapping ? event.data.mapping_start.tag : event.data.sequence_start.tag
                let flow = isMapping
                    ? event.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
                    : event.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
                let node = Int32(truncatingIfNeeded: records.count)
                records.append(
                    YAMLStorage.Record(
                        kind: isMapping ? .mapping : .sequence, style: .plain, flowStyle: flow, line: line,
                        column: column, hasTag: tag != nil, start: 0, count: 0))
                if let tag { record(tag: tag, node: node) }
                if let anchor { define(anchor: anchor, node: node) }
                pending.append(UInt32(bitPattern: node))
                frames.append((Int(node), pending.count))
            case YAML_MAPPING_END_EVENT, YAML_SEQUENCE_END_EVENT:
                guard let frame = frames.popLast() else { break }
                let count = pending.count - frame.pendingStart
                records[frame.record].start = UInt32(truncatingIfNeeded: children.count)
                records[frame.record].count = UInt32(truncatingIfNeeded: count)
                children.append(contentsOf: pending[frame.pendingStart...])
                pending.removeLast(count)
            case YAML_ALIAS_EVENT:
                let name = String(cString: event.data.alias.anchor)
                guard let target = anchors[name] else {
                    throw YAMLError.undefinedAlias(YAMLMark(file: file, line: Int(line), column: Int(column)), name: name)
                }
                let node = Int32(truncatingIfNeeded: records.count)
                records.append(
                    YAMLStorage.Record(
                        kind: .alias, style: .plain, flowStyle: false, line: line, column: column, hasTag: false,
                        start: UInt32(bitPattern: target), count: 0))
                pending.append(UInt32(bitPattern: node))
            case YAML_DOCUMENT_START_EVENT:
                anchors.removeAll(keepingCapacity: true)
            case YAML_DOCUMENT_END_EVENT:
                if let root = pending.popLast() {
                    if perDocument {
                        try onDocument(YAMLNode(storage: storage(), index: Int(root)))
                        // Copies went into the document's storage; the buffers keep their capacity.
                        records.removeAll(keepingCapacity: true)
                        bytes.removeAll(keepingCapacity: true)
                        children.removeAll(keepingCapacity: true)
                        tags.removeAll()
                        anchorNames.removeAll()
                    } else {
                        roots.append(Int(root))
                    }
                }
                pending.removeAll(keepingCapacity: true)
            case YAML_STREAM_END_EVENT:
                let storage = storage()
                return roots.map { YAMLNode(storage: storage, index: $0) }
            default:
                break
            }
        }
    }

    private func storage() -> YAMLStorage {
        YAMLStorage(file: file, records: records, bytes: bytes, children: children, tags: tags, anchorNames: anchorNames)
    }

    /// Tags are rare; each distinct one is stored once and shared by the nodes that carry it.
    private mutating func record(tag pointer: UnsafeMutablePointer<yaml_char_t>, node: Int32) {
        let tag = String(cString: pointer)
        if let interned = internedTags[tag] {
            tags[node] = interned
        } else {
            internedTags[tag] = tag
            tags[node] = tag
        }
    }

    private mutating func define(anchor pointer: UnsafeMutablePointer<yaml_char_t>, node: Int32) {
        let name = String(cString: pointer)
        anchors[name] = node
        anchorNames[node] = name
    }

    private func syntaxError(_ parser: yaml_parser_t, input: UnsafeBufferPointer<UInt8>) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "malformed YAML"
        if parser.error == YAML_READER_ERROR {
            // Reader errors (bad UTF-8, control characters) carry a byte offset, not a mark.
            let offset = min(parser.problem_offset, input.count)
            var line = 1
            var lineStart = 0
            for position in 0..<offset where input[position] == 0x0A {
                line += 1
                lineStart = position + 1
            }
            return .syntax(YAMLMark(file: file, line: line, column: offset - lineStart + 1), message: problem)
        }
        var message = problem
        if let context = parser.context {
            message += " (\(String(cString: context)) that started at line \(parser.context_mark.line + 1), column \(parser.context_mark.column + 1))"
        }
        let mark = YAMLMark(file: file, line: parser.problem_mark.line + 1, column: parser.problem_mark.column + 1)
        return .syntax(mark, message: message)
    }
}
