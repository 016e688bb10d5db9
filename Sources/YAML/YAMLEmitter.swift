import CLibYAML

/// Writes JSON values (and `Encodable` values) as YAML through libyaml's emitter.
///
/// Guarantees: block style; mapping keys sorted by their UTF-8 bytes, so output is stable; a string
/// is quoted whenever its plain form would read back as something else under Kubernetes' rules or
/// under YAML 1.1 parsers (booleans like `yes`, numbers like `0o12` or `1.0`, `null`/`~`/empty,
/// dates like `2024-01-01`, sexagesimals like `1:20`, `<<`); multi-line strings use literal block
/// style where libyaml allows it. Parsing the output gives back the same `JSONValue`, except that
/// integral floats read back as integers (the Kubernetes JSON rule).
public struct YAMLEmitter: Sendable {
    /// Creates an emitter.
    public init() {}

    /// One document, without a `---` line.
    public func emit(_ value: JSONValue) throws -> String {
        try emit([value], explicitStarts: false)
    }

    /// Several documents, each introduced by `---`.
    public func emitDocuments(_ values: [JSONValue]) throws -> String {
        try emit(values, explicitStarts: true)
    }

    /// One `Encodable` value as a document, through `JSONValueEncoder`.
    public func emit<T: Encodable>(encoding value: T) throws -> String {
        try emit(JSONValueEncoder().encode(value))
    }

    private final class Output {
        var bytes: [UInt8] = []
    }

    private func emit(_ values: [JSONValue], explicitStarts: Bool) throws -> String {
        var emitter = yaml_emitter_t()
        guard yaml_emitter_initialize(&emitter) == 1 else {
            throw YAMLError.encoding(path: "", message: "libyaml could not allocate its emitter")
        }
        defer { yaml_emitter_delete(&emitter) }
        let output = Output()
        let context = Unmanaged.passUnretained(output).toOpaque()
        yaml_emitter_set_output(
            &emitter,
            { context, buffer, size in
                guard let context, let buffer else { return 0 }
                let output = Unmanaged<Output>.fromOpaque(context).takeUnretainedValue()
                output.bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
                return 1
            }, context)
        yaml_emitter_set_unicode(&emitter, 1)
        yaml_emitter_set_width(&emitter, -1)
        yaml_emitter_set_indent(&emitter, 2)

        try withExtendedLifetime(output) {
            let writer = EventWriter(emitter: &emitter)
            var event = yaml_event_t()
            yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING)
            try writer.emit(&event)
            for value in values {
                yaml_document_start_event_initialize(&event, nil, nil, nil, explicitStarts ? 0 : 1)
                try writer.emit(&event)
                try writer.write(value)
                yaml_document_end_event_initialize(&event, 1)
                try writer.emit(&event)
            }
            yaml_stream_end_event_initialize(&event)
            try writer.emit(&event)
        }
        return String(decoding: output.bytes, as: UTF8.self)
    }
}

/// Sends events to one emitter; libyaml takes ownership of each event it is given.
private struct EventWriter {
    let emitter: UnsafeMutablePointer<yaml_emitter_t>

    init(emitter: UnsafeMutablePointer<yaml_emitter_t>) {
        self.emitter = emitter
    }

    func emit(_ event: inout yaml_event_t) throws {
        guard yaml_emitter_emit(emitter, &event) == 1 else {
            let problem = emitter.pointee.problem.map { String(cString: $0) } ?? "unknown problem"
            throw YAMLError.encoding(path: "", message: "libyaml could not emit the document: \(problem)")
        }
    }

    func write(_ value: JSONValue) throws {
        var event = yaml_event_t()
        switch value {
        case .null:
            try scalar("null", style: YAML_PLAIN_SCALAR_STYLE)
        case .bool(let flag):
            try scalar(flag ? "true" : "false", style: YAML_PLAIN_SCALAR_STYLE)
        case .int(let number):
            try scalar(String(number), style: YAML_PLAIN_SCALAR_STYLE)
        case .double(let number):
            try scalar(Self.text(of: number), style: YAML_PLAIN_SCALAR_STYLE)
        case .string(let text):
            try scalar(text, style: Self.style(for: text))
        case .array(let elements):
            yaml_sequence_start_event_initialize(
                &event, nil, nil, 1, elements.isEmpty ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE)
            try emit(&event)
            for element in elements { try write(element) }
            yaml_sequence_end_event_initialize(&event)
            try emit(&event)
        case .object(let members):
            yaml_mapping_start_event_initialize(
                &event, nil, nil, 1, members.isEmpty ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE)
            try emit(&event)
            let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for key in keys {
                try scalar(key, style: Self.style(for: key))
                if let member = members[key] { try write(member) }
            }
            yaml_mapping_end_event_initialize(&event)
            try emit(&event)
        }
    }

    private func scalar(_ text: String, style: yaml_scalar_style_t) throws {
        var event = yaml_event_t()
        var text = text
        guard text.utf8.count < Int(Int32.max) else {
            throw YAMLError.encoding(path: "", message: "a string of 2 GiB or more cannot be written as YAML")
        }
        var empty: UInt8 = 0
        let initialized = text.withUTF8 { buffer -> Int32 in
            withUnsafeMutablePointer(to: &empty) { emptyPointer in
                // libyaml copies the value, so the buffer only has to live for this call; an empty
                // string may have no address, so it gets one.
                let base = buffer.baseAddress.map { UnsafeMutablePointer(mutating: $0) } ?? emptyPointer
                return yaml_scalar_event_initialize(&event, nil, nil, base, Int32(buffer.count), 1, 1, style)
            }
        }
        guard initialized == 1 else {
            throw YAMLError.encoding(path: "", message: "libyaml could not allocate a scalar event")
        }
        try emit(&event)
    }

    static func text(of number: Double) -> String {
        if number.isNaN { return ".nan" }
        if number.isInfinite { return number < 0 ? "-.inf" : ".inf" }
        return number.description
    }

    /// Plain when the plain form reads back as this same string; libyaml itself switches to
    /// quotes when plain style is not allowed (leading spaces, `: `, ` #`, indicators).
    static func style(for text: String) -> yaml_scalar_style_t {
        if text.utf8.contains(0x0A) { return YAML_LITERAL_SCALAR_STYLE }
        return needsQuotes(text) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_PLAIN_SCALAR_STYLE
    }

    static func needsQuotes(_ text: String) -> Bool {
        let isKeyword = text == "=" || text == "<<"
        var text = text
        return text.withUTF8 { bytes in
            guard let first = bytes.first else { return true }
            if ScalarResolver.resolvePlain(bytes) != .string { return true }
            if ScalarResolver.looksLikeTimestamp(bytes) { return true }
            let startsNumeric = (first >= 0x30 && first <= 0x39) || first == UInt8(ascii: "+") || first == UInt8(ascii: "-")
                || first == UInt8(ascii: ".")
            // YAML 1.1 sexagesimal numbers (1:20) and the value key `=`; `<<` is the merge key.
            if startsNumeric && bytes.contains(UInt8(ascii: ":")) { return true }
            return isKeyword
        }
    }
}
