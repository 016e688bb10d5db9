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

    /// The object's text so far: `{` and the members read, without the closing brace.
    private var text: [UInt8] = [UInt8(ascii: "{")]
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
            separate(&text)
            appendKey(key.stringValue, to: &text)
            if key.stringValue == "metadata" {
                metadata = try container.decodeIfPresent(Metadata.self, forKey: key)
                text += metadata?.finishedText() ?? Array("null".utf8)
                continue
            }
            let value = try container.decodeIfPresent(JSONValue.self, forKey: key) ?? .null
            if key.stringValue == "apiVersion" { apiVersion = value.stringValue }
            if key.stringValue == "kind" { kind = value.stringValue }
            JSONWriter.write(value, into: &text)
        }
    }

    mutating func decodeMember(_ member: borrowing JSONMember) throws {
        separate(&text)
        member.appendKey(to: &text)
        if member.is("metadata") {
            metadata = try member.decode(Metadata.self)
            text += metadata?.finishedText() ?? Array("null".utf8)
            return
        }
        if member.is("apiVersion") { apiVersion = try? member.decodeString() }
        if member.is("kind") { kind = try? member.decodeString() }
        member.appendValue(to: &text)
    }

    /// The whole text, closed.
    func finishedText() -> [UInt8] { text + [UInt8(ascii: "}")] }

    /// A mesh object's `metadata`: its text without `managedFields` and the last-applied
    /// annotation, and the one label and two annotations `MeshObjectValue` keeps (each only if it
    /// is a string).
    struct Metadata: JSONMemberDecodable {
        private var text: [UInt8] = [UInt8(ascii: "{")]
        private(set) var managedBy: String?
        private(set) var requestUID: String?
        private(set) var expiresAt: String?

        init() {}

        /// Through a keyed container: for decoders other than the tape's, with the same value.
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyKey.self)
            for key in container.allKeys where key.stringValue != "managedFields" {
                separate(&text)
                appendKey(key.stringValue, to: &text)
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
                JSONWriter.write(value, into: &text)
            }
        }

        mutating func decodeMember(_ member: borrowing JSONMember) throws {
            if member.is("managedFields") { return }
            separate(&text)
            member.appendKey(to: &text)
            if member.is("labels") {
                managedBy = member.stringMember(MeshObjectMembers.managedByLabel)
            } else if member.is("annotations") {
                requestUID = member.stringMember(MeshObjectMembers.requestUIDAnnotation)
                expiresAt = member.stringMember(MeshObjectMembers.expiresAtAnnotation)
                member.appendValue(to: &text, omitting: CacheCompaction.lastApplied)
                return
            }
            member.appendValue(to: &text)
        }

        /// The whole text, closed.
        func finishedText() -> [UInt8] { text + [UInt8(ascii: "}")] }
    }
}

/// A comma when `text`, an object's text so far, holds a member already.
private func separate(_ text: inout [UInt8]) {
    if text.count > 1 { text.append(UInt8(ascii: ",")) }
}

/// `name` quoted and a colon: the keyed containers' path, which has no document to copy keys from.
private func appendKey(_ name: String, to text: inout [UInt8]) {
    JSONWriter.write(.string(name), into: &text)
    text.append(UInt8(ascii: ":"))
}

/// Any member name of a JSON object.
private struct AnyKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
