import YAML

/// A mesh object read for `MeshObjectValue`: its compact text without `metadata.managedFields`
/// and `kubectl apply`'s last-applied annotation, and the few members the caches ask of every
/// object. Through the tape each member's text is copied from the document as it is spelled
/// there: cutting each as a `RawJSON` string, building the labels and annotations as
/// dictionaries and joining the pieces again took about 55,000 instructions per
/// AuthorizationPolicy of a LIST, as much as the rest of reading one (BENCHMARKS.md,
/// "Controller", seventeenth round). Through any other decoder the members are written again
/// (`JSONWriter`), which gives the same JSON value.
struct MeshObjectMembers: JSONMemberDecodable {
    /// The label that marks Elevator's own objects.
    static let managedByLabel: StaticString = "app.kubernetes.io/managed-by"
    /// The annotation with the uid of the request an object was written for.
    static let requestUIDAnnotation: StaticString = "elevator.dev/request-uid"
    /// The annotation with the time a grant's object expires.
    static let expiresAtAnnotation: StaticString = "elevator.dev/expires-at"

    /// The object's text so far.
    private var text = ObjectText()
    /// The object's `metadata`, if it is an object.
    private(set) var metadata: Metadata?
    /// The object's `apiVersion`, if it is a string.
    private(set) var apiVersion: String?
    /// The object's `kind`, if it is a string.
    private(set) var kind: String?

    init() {}

    /// Through a keyed container: for decoders other than the tape's, with the same value.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        for key in container.allKeys {
            text.start(named: key.stringValue)
            if key.stringValue == "metadata" {
                metadata = try container.decodeIfPresent(Metadata.self, forKey: key)
                text.append(metadata?.finishedText())
                continue
            }
            let value = try container.decodeIfPresent(JSONValue.self, forKey: key) ?? .null
            if key.stringValue == "apiVersion" { apiVersion = value.stringValue }
            if key.stringValue == "kind" { kind = value.stringValue }
            text.append(value)
        }
    }

    mutating func decodeMember(_ member: borrowing JSONMember) throws {
        text.start(member)
        if member.is("metadata") {
            metadata = try member.decode(Metadata.self)
            text.append(metadata?.finishedText())
            return
        }
        if member.is("apiVersion") { apiVersion = try? member.decodeString() }
        if member.is("kind") { kind = try? member.decodeString() }
        member.appendValue(to: &text.bytes)
    }

    /// The whole text, closed.
    func finishedText() -> [UInt8] { text.finished() }

    /// A mesh object's `metadata`: its text without `managedFields` and the last-applied
    /// annotation, and the one label and two annotations `MeshObjectValue` keeps (each only if it
    /// is a string).
    struct Metadata: JSONMemberDecodable {
        private var text = ObjectText()
        private(set) var managedBy: String?
        private(set) var requestUID: String?
        private(set) var expiresAt: String?

        init() {}

        /// Through a keyed container: for decoders other than the tape's, with the same value.
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyKey.self)
            for key in container.allKeys where key.stringValue != "managedFields" {
                text.start(named: key.stringValue)
                var value = try container.decodeIfPresent(JSONValue.self, forKey: key) ?? .null
                if key.stringValue == "labels" { managedBy = value[MeshObjectMembers.managedByLabel.description]?.stringValue }
                if key.stringValue == "annotations" {
                    requestUID = value[MeshObjectMembers.requestUIDAnnotation.description]?.stringValue
                    expiresAt = value[MeshObjectMembers.expiresAtAnnotation.description]?.stringValue
                    if case .object(var annotations) = value {
                        annotations[CacheCompaction.lastAppliedAnnotation] = nil
                        value = .object(annotations)
                    }
                }
                text.append(value)
            }
        }

        mutating func decodeMember(_ member: borrowing JSONMember) throws {
            if member.is("managedFields") { return }
            text.start(member)
            if member.is("labels") {
                managedBy = member.stringMember(MeshObjectMembers.managedByLabel)
            } else if member.is("annotations") {
                requestUID = member.stringMember(MeshObjectMembers.requestUIDAnnotation)
                expiresAt = member.stringMember(MeshObjectMembers.expiresAtAnnotation)
                member.appendValue(to: &text.bytes, omitting: CacheCompaction.lastApplied)
                return
            }
            member.appendValue(to: &text.bytes)
        }

        /// The whole text, closed.
        func finishedText() -> [UInt8] { text.finished() }
    }
}

/// A JSON object's compact text, written member by member: each member started with its key,
/// then its value appended to `bytes`.
private struct ObjectText {
    /// `{` and the members so far, without the closing brace.
    var bytes: [UInt8] = [UInt8(ascii: "{")]

    /// Starts a member with its key as the document spells it.
    mutating func start(_ member: borrowing JSONMember) {
        separate()
        member.appendKey(to: &bytes)
    }

    /// Starts a member keyed `name`: the keyed containers' path, with no document to copy from.
    mutating func start(named name: String) {
        separate()
        JSONWriter.write(.string(name), into: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Appends a value's compact text.
    mutating func append(_ value: JSONValue) { JSONWriter.write(value, into: &bytes) }

    /// Appends a value already written (`null` for nil).
    mutating func append(_ text: [UInt8]?) { bytes += text ?? Array("null".utf8) }

    /// The text, closed.
    func finished() -> [UInt8] { bytes + [UInt8(ascii: "}")] }

    /// A comma when a member is written already.
    private mutating func separate() {
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
    }
}

/// Any member name of a JSON object.
private struct AnyKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
