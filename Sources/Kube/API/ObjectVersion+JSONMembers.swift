import YAML

// Every write response and every watch line is first read as an `ObjectVersion`; member by
// member (`JSONMemberDecodable`) that costs no keyed container. Same keys, types and errors as
// the synthesised `Decodable`; `ObjectMetaDecodingTests.readingAnObjectVersionAgreesWithDecodable`
// checks that both agree.

extension ObjectVersion: JSONMemberDecodable {
    /// Reads `metadata`; every other member is skipped.
    public mutating func decodeMember(_ member: borrowing JSONMember) throws {
        if member.is("metadata") { metadata = try member.decode(Metadata.self) }
    }
}

extension ObjectVersion.Metadata: JSONMemberDecodable {
    /// Reads one of the four fields; every other member is skipped.
    public mutating func decodeMember(_ member: borrowing JSONMember) throws {
        if member.is("name") {
            name = try member.decodeString()
        } else if member.is("namespace") {
            namespace = try member.decodeString()
        } else if member.is("uid") {
            uid = try member.decodeString()
        } else if member.is("resourceVersion") {
            resourceVersion = try member.decodeString()
        }
    }
}
