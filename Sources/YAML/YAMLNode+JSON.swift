extension YAMLNode {
    /// The JSON value kubectl would send for this node (sigs.k8s.io/yaml on go-yaml v2, then
    /// JSON); the rules are in docs/yaml.md.
    ///
    /// Merge keys are applied (explicit keys win, then earlier merged mappings), non-string keys
    /// become strings, floats with an integral value become integers as they do after the JSON
    /// round trip.
    /// - Throws: `YAMLError.duplicateKey`, `.invalidValue` (null or collection keys, `.inf`,
    ///   tag mismatches) and `.limitExceeded` (alias expansion, depth), each at the offending node.
    public func toJSON(options: YAMLOptions = YAMLOptions()) throws -> JSONValue {
        try storage.bytes.withUnsafeBufferPointer { bytes in
            var converter = JSONConverter(storage: storage, bytes: bytes, options: options)
            return try converter.convert(index, depth: 0)
        }
    }

    /// The node as a JSON object key, as sigs.k8s.io/yaml's `convertToJSONableObject` makes it.
    func jsonKey() throws -> String {
        try storage.bytes.withUnsafeBufferPointer { bytes in
            let converter = JSONConverter(storage: storage, bytes: bytes, options: YAMLOptions())
            return try converter.key(index)
        }
    }
}

/// The recursive conversion of one document; counts nodes to bound alias expansion as go-yaml v2
/// `decode.go` does (`allowedAliasRatio`).
struct JSONConverter {
    let storage: YAMLStorage
    let records: [YAMLStorage.Record]
    let children: [UInt32]
    let bytes: UnsafeBufferPointer<UInt8>
    let options: YAMLOptions
    var decodeCount = 0
    var aliasCount = 0
    var aliasDepth = 0

    init(storage: YAMLStorage, bytes: UnsafeBufferPointer<UInt8>, options: YAMLOptions) {
        self.storage = storage
        self.records = storage.records
        self.children = storage.children
        self.bytes = bytes
        self.options = options
    }

    func target(_ index: Int) -> Int {
        var index = index
        while records[index].kind == .alias { index = Int(records[index].start) }
        return index
    }

    /// Whether a plain untagged scalar is a string without running the resolver: its first byte
    /// is none of the hints of resolve.go (a letter other than y, n, t, f, o, or `/`, `"`, ...).
    @inline(__always)
    func isObviouslyString(_ record: YAMLStorage.Record) -> Bool {
        guard !record.hasTag else { return false }
        if record.style != .plain { return true }
        guard record.count > 0 else { return false }
        return !ScalarResolver.hasHint(bytes[Int(record.start)])
    }

    func text(_ record: YAMLStorage.Record) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[Int(record.start)..<Int(record.start + record.count)])
    }

    static func allowedAliasRatio(_ decodeCount: Int) -> Double {
        switch decodeCount {
        case ...400_000: return 0.99
        case 4_000_000...: return 0.10
        default: return 0.99 - 0.89 * (Double(decodeCount - 400_000) / 3_600_000)
        }
    }

    mutating func convert(_ index: Int, depth: Int) throws -> JSONValue {
        decodeCount += 1
        if aliasDepth > 0 { aliasCount += 1 }
        if options.limitsAliasExpansion, aliasCount > 100, decodeCount > 1000,
            Double(aliasCount) / Double(decodeCount) > Self.allowedAliasRatio(decodeCount)
        {
            throw YAMLError.limitExceeded(
                storage.mark(index),
                message: "aliases expand to too many nodes (\(aliasCount) of \(decodeCount) so far); the document looks like an alias bomb")
        }
        let record = records[index]
        switch record.kind {
        case .alias:
            aliasDepth += 1
            defer { aliasDepth -= 1 }
            return try convert(Int(record.start), depth: depth)
        case .scalar:
            return try scalar(index)
        case .sequence:
            try checkDepth(index, depth)
            var elements: [JSONValue] = []
            elements.reserveCapacity(Int(record.count))
            let start = Int(record.start)
            for child in start..<start + Int(record.count) {
                elements.append(try convert(Int(children[child]), depth: depth + 1))
            }
            return .array(elements)
        case .mapping:
            try checkDepth(index, depth)
            return .object(try mapping(index, depth: depth))
        }
    }

    private func checkDepth(_ index: Int, _ depth: Int) throws {
        if depth >= options.maxDepth {
            throw YAMLError.limitExceeded(
                storage.mark(index),
                message: "nesting (with aliases expanded) is deeper than \(options.maxDepth) levels; flatten the document or raise YAMLOptions.maxDepth")
        }
    }

    func isMergeKey(_ index: Int) -> Bool {
        let record = records[target(index)]
        guard record.kind == .scalar, record.count == 2 else { return false }
        let text = text(record)
        guard text[0] == UInt8(ascii: "<"), text[1] == UInt8(ascii: "<") else { return false }
        guard record.hasTag else { return record.style == .plain }
        return storage.tag(target(index)) == ScalarResolver.mergeTag
    }

    mutating func mapping(_ index: Int, depth: Int) throws -> [String: JSONValue] {
        let record = records[target(index)]
        var object: [String: JSONValue] = [:]
        object.reserveCapacity(Int(record.count) / 2)
        var merge: Int?
        let start = Int(record.start)
        for child in stride(from: start, to: start + Int(record.count), by: 2) {
            let keyIndex = Int(children[child])
            let valueIndex = Int(children[child + 1])
            if isMergeKey(keyIndex) {
                if merge != nil { throw YAMLError.duplicateKey(storage.mark(keyIndex), key: "<<") }
                merge = valueIndex
                continue
            }
            decodeCount += 1
            if aliasDepth > 0 { aliasCount += 1 }
            let key = try key(keyIndex)
            let value = try convert(valueIndex, depth: depth + 1)
            if object.updateValue(value, forKey: key) != nil {
                throw YAMLError.duplicateKey(storage.mark(keyIndex), key: key)
            }
        }
        if let merge { try applyMerge(merge, into: &object, depth: depth) }
        return object
    }

    /// `<<: *base` or `<<: [*a, *b]`: keys already present win, then earlier mappings win.
    private mutating func applyMerge(_ index: Int, into object: inout [String: JSONValue], depth: Int) throws {
        let target = target(index)
        var sources: [Int] = []
        switch records[target].kind {
        case .mapping:
            sources = [index]
        case .sequence:
            let start = Int(records[target].start)
            sources = (start..<start + Int(records[target].count)).map { Int(children[$0]) }
        default:
            break
        }
        if sources.isEmpty && records[target].kind != .sequence {
            throw YAMLError.invalidValue(
                storage.mark(index), message: "the value of a merge key (<<) must be a mapping or a list of mappings")
        }
        for source in sources {
            guard records[self.target(source)].kind == .mapping else {
                throw YAMLError.invalidValue(
                    storage.mark(source), message: "the value of a merge key (<<) must be a mapping or a list of mappings")
            }
            guard case .object(let members) = try convert(source, depth: depth) else { continue }
            for (key, value) in members where object[key] == nil { object[key] = value }
        }
    }

    func key(_ index: Int) throws -> String {
        let target = target(index)
        let record = records[target]
        guard record.kind == .scalar else {
            throw YAMLError.invalidValue(
                storage.mark(index), message: "a mapping or sequence is used as a mapping key; JSON object keys must be strings")
        }
        if isObviouslyString(record) { return String(decoding: text(record), as: UTF8.self) }
        let resolved = try resolve(target)
        switch resolved {
        case .string: return String(decoding: text(record), as: UTF8.self)
        case .binary(let decoded): return String(decoding: decoded, as: UTF8.self)
        case .int(let value): return String(value)
        case .bool(let value): return value ? "true" : "false"
        case .double(let value): return GoFloatFormat.formatFloat32G(value)
        case .uint:
            throw YAMLError.invalidValue(
                storage.mark(index), message: "an integer key larger than 9223372036854775807 cannot become a JSON key; quote the key")
        case .null:
            throw YAMLError.invalidValue(
                storage.mark(index), message: "a mapping key is null (empty, ~ or null); JSON object keys must be strings, so quote the key")
        }
    }

    private func resolve(_ target: Int) throws -> ResolvedScalar {
        let record = records[target]
        do {
            return try ScalarResolver.resolve(
                text(record), tag: storage.tag(target), plain: record.style == .plain)
        } catch {
            throw YAMLError.invalidValue(storage.mark(target), message: error.message)
        }
    }

    func scalar(_ index: Int) throws -> JSONValue {
        let record = records[index]
        if isObviouslyString(record) { return .string(String(decoding: text(record), as: UTF8.self)) }
        switch try resolve(index) {
        case .string: return .string(String(decoding: text(record), as: UTF8.self))
        case .binary(let decoded): return .string(String(decoding: decoded, as: UTF8.self))
        case .null: return .null
        case .bool(let value): return .bool(value)
        case .int(let value): return .int(value)
        case .uint(let value): return .double(Double(value))
        case .double(let value):
            guard value.isFinite else {
                throw YAMLError.invalidValue(
                    storage.mark(index),
                    message: "\(value.isNaN ? ".nan" : value < 0 ? "-.inf" : ".inf") cannot be represented in JSON (kubectl refuses it too); quote it to keep it a string")
            }
            return JSONValue.kubernetesNumber(value)
        }
    }
}

extension JSONValue {
    /// A float as it comes out of Go's `json.Marshal` and apimachinery's JSON decoding: an
    /// integral value below 1e21 is printed without a fraction and read back as an integer when
    /// it fits `Int64`. Go prints -2^63 as `-9223372036854776000` (shortest digits padded with
    /// zeros), which overflows `Int64` when read back, so it stays a float, as kubectl shows.
    static func kubernetesNumber(_ value: Double) -> JSONValue {
        if value.rounded(.towardZero) == value, abs(value) < 1e21,
            value > -9.223372036854775808e18, value < 9.223372036854775808e18
        {
            return .int(Int64(value))
        }
        return .double(value)
    }
}
