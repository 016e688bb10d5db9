import YAML

// The metadata of every object of a LIST is read member by member from the body (see
// `JSONMemberDecodable`): the keyed container `Decodable` goes through cost a third of decoding
// a LIST of small custom resources. Each `decodeMember` reads the same keys, with the same types,
// as the synthesised `init(from:)`; `ObjectMetaDecodingTests` checks that both agree.

extension ObjectMeta: JSONMemberDecodable {
    /// Metadata with nothing set.
    public init() {}

    /// Reads one member of a metadata object (the keys and types of the `Codable` conformance).
    public mutating func decodeMember(_ member: borrowing JSONMember) throws {
        if member.is("name") {
            name = try member.decodeString()
        } else if member.is("namespace") {
            namespace = try member.decodeString()
        } else if member.is("uid") {
            uid = try member.decodeString()
        } else if member.is("resourceVersion") {
            resourceVersion = try member.decodeString()
        } else if member.is("generation") {
            generation = try member.decodeInt64()
        } else if member.is("creationTimestamp") {
            creationTimestamp = try member.decodeTime()
        } else if member.is("labels") {
            labels = try member.decode([String: String].self)
        } else if member.is("annotations") {
            annotations = try member.decode([String: String].self)
        } else if member.is("managedFields") {
            managedFields = try member.decodeArray(of: ManagedFieldsEntry.self)
        } else if member.is("ownerReferences") {
            ownerReferences = try member.decodeArray(of: OwnerReference.self)
        } else if member.is("finalizers") {
            finalizers = try member.decode([String].self)
        } else if member.is("generateName") {
            generateName = try member.decodeString()
        } else if member.is("deletionTimestamp") {
            deletionTimestamp = try member.decodeTime()
        } else if member.is("deletionGracePeriodSeconds") {
            deletionGracePeriodSeconds = try member.decodeInt64()
        }
    }
}

extension ManagedFieldsEntry: JSONMemberDecodable {
    /// An entry with nothing set.
    public init() {}

    /// Reads one member of an entry (the keys and types of the `Codable` conformance).
    public mutating func decodeMember(_ member: borrowing JSONMember) throws {
        if member.is("manager") {
            manager = try member.decodeString()
        } else if member.is("operation") {
            operation = try member.decodeString()
        } else if member.is("apiVersion") {
            apiVersion = try member.decodeString()
        } else if member.is("time") {
            time = try member.decodeTime()
        } else if member.is("fieldsType") {
            fieldsType = try member.decodeString()
        } else if member.is("fieldsV1") {
            fieldsV1 = try member.decode(RawJSON.self)
        } else if member.is("subresource") {
            subresource = try member.decodeString()
        }
    }
}

extension JSONMember {
    /// The value as a `metav1.Time`, or nil for null: parsed from the string's bytes in place, and
    /// through `Time`'s `init(from:)` (its error) for anything else.
    func decodeTime() throws -> Time? {
        if let time = withUnescapedString({ RFC3339.parseMicroseconds(bytes: $0).map(Time.init(microseconds:)) }) {
            return time
        }
        return try decode(Time.self)
    }
}
