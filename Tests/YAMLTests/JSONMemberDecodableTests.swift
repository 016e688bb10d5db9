import Testing
import YAML

/// `JSONMemberDecodable` and `JSONMemberReadable`: the tape decoder reads such a type member by
/// member, and the result is what `init(from:)` gives (the tree decoder and every other decoder
/// use that).
@Suite struct JSONMemberDecodableTests {
    struct Meta: JSONMemberDecodable, Equatable {
        var name: String?
        var count: Int64?
        var tags: [String]?
        var child: Child?
        /// Set only by `decodeMember`, to see which path ran (not part of equality).
        var readByMembers = false

        enum CodingKeys: String, CodingKey { case name, count, tags, child }

        init() {}

        mutating func decodeMember(_ member: borrowing JSONMember) throws {
            readByMembers = true
            if member.is("name") {
                name = try member.decodeString()
            } else if member.is("count") {
                count = try member.decodeInt64()
            } else if member.is("tags") {
                tags = try member.decode([String].self)
            } else if member.is("child") {
                child = try member.decode(Child.self)
            }
        }

        static func == (lhs: Meta, rhs: Meta) -> Bool {
            (lhs.name, lhs.count, lhs.tags, lhs.child) == (rhs.name, rhs.count, rhs.tags, rhs.child)
        }
    }

    struct Child: Codable, Equatable { var size: Int }

    struct Holder: Decodable, Equatable { var items: [Meta] }

    enum Outcome<T: Equatable>: Equatable {
        case success(T)
        case failure(String)

        func get() throws -> T {
            guard case .success(let value) = self else { throw Failed() }
            return value
        }
    }

    struct Failed: Error {}

    static func viaTree<T: Decodable & Equatable>(_ type: T.Type, _ text: String) -> Outcome<T> {
        do { return .success(try JSONValueDecoder().decode(type, from: try JSONParser.parse(Array(text.utf8)))) } catch {
            return .failure("\(error)")
        }
    }

    static func viaTape<T: Decodable & Equatable>(_ type: T.Type, _ text: String) -> Outcome<T> {
        do { return .success(try JSONValueDecoder().decode(type, fromJSON: Array(text.utf8))) } catch {
            return .failure("\(error)")
        }
    }

    @Test(arguments: [
        #"{"items":[{"name":"a","count":3,"tags":["x"],"child":{"size":1},"unknown":{"deep":[1]}}]}"#,
        #"{"items":[{},{"name":null,"count":null,"tags":null,"child":null}]}"#,
        #"{"items":[{"count":-9223372036854775808},{"count":2.0}]}"#,
        #"{"items":[{"name":"a"},{"name":5}]}"#,
        #"{"items":[{"count":"3"}]}"#,
        #"{"items":[{"count":1.5}]}"#,
        #"{"items":[{"tags":[1]}]}"#,
        #"{"items":[{"child":{}}]}"#,
        #"{"items":[{"child":{"size":"big"}}]}"#,
    ])
    func membersAgreeWithInitFromDecoder(text: String) {
        let tree = Self.viaTree(Holder.self, text)
        let tape = Self.viaTape(Holder.self, text)
        #expect(tree == tape)
    }

    @Test func theTapeDecoderReadsMembersAndTheTreeDecoderUsesInitFrom() throws {
        let text = #"{"items":[{"name":"a"}]}"#
        #expect(try Self.viaTape(Holder.self, text).get().items[0].readByMembers)
        #expect(try !Self.viaTree(Holder.self, text).get().items[0].readByMembers)
    }

    /// Duplicate keys keep the last value, as everywhere: such an object goes through
    /// `init(from:)`, so a bad first value that the second replaces is no error either.
    @Test func anObjectWithARepeatedKeyGoesThroughInitFrom() throws {
        let meta = try Self.viaTape(Meta.self, #"{"name":5,"count":1,"name":"last"}"#).get()
        #expect(meta.name == "last")
        #expect(!meta.readByMembers)
    }

    /// A type with a required key, read through its all-optional `Members`.
    struct Pair: JSONMemberReadable, Equatable {
        var key: String
        var value: Int64?
        /// Set only by `init(members:)`, to see which path ran (not part of equality).
        var readByMembers = false

        enum CodingKeys: String, CodingKey { case key, value }

        struct Members: JSONMembers {
            var key: String?
            var value: Int64?

            mutating func decodeMember(_ member: borrowing JSONMember) throws {
                if member.is("key") {
                    key = try member.decodeString()
                } else if member.is("value") {
                    value = try member.decodeInt64()
                }
            }
        }

        init?(members: Members) {
            guard let key = members.key else { return nil }
            self.key = key
            value = members.value
            readByMembers = true
        }

        static func == (lhs: Pair, rhs: Pair) -> Bool { (lhs.key, lhs.value) == (rhs.key, rhs.value) }
    }

    struct Pairs: Decodable, Equatable { var items: [Pair] }

    @Test(arguments: [
        #"{"items":[{"key":"a","value":3,"unknown":[1]},{"key":"b","value":null}]}"#,
        // errors: the same message and path both ways (a missing key through `init(from:)`)
        #"{"items":[{"key":"a"},{"value":1}]}"#, #"{"items":[{"key":null}]}"#, #"{"items":[{"key":"a","value":"1"}]}"#,
        #"{"items":[{"key":7}]}"#, #"{"items":[["key"]]}"#,
    ])
    func readableMembersAgreeWithInitFromDecoder(text: String) {
        #expect(Self.viaTree(Pairs.self, text) == Self.viaTape(Pairs.self, text))
    }

    @Test func theTapeDecoderReadsAReadableTypesMembers() throws {
        let text = #"{"items":[{"key":"a"}]}"#
        #expect(try Self.viaTape(Pairs.self, text).get().items[0].readByMembers)
        #expect(try !Self.viaTree(Pairs.self, text).get().items[0].readByMembers)
        let repeated = try Self.viaTape(Pair.self, #"{"key":"a","key":"b"}"#).get()
        #expect(repeated.key == "b" && !repeated.readByMembers)
    }

    /// A generic wrapper: each argument makes a type the decoder has not been asked about.
    struct Tagged<Tag>: JSONMemberDecodable, Equatable {
        var name: String?
        var readByMembers = false
        enum CodingKeys: String, CodingKey { case name }
        init() {}
        mutating func decodeMember(_ member: borrowing JSONMember) throws {
            readByMembers = true
            if member.is("name") { name = try member.decodeString() }
        }
        static func == (lhs: Tagged, rhs: Tagged) -> Bool { lhs.name == rhs.name }
    }

    struct Untagged<Tag>: Decodable, Equatable { var name: String? }

    /// Whether `Tagged<Tag>` is read member by member and `Untagged<Tag>` is read at all.
    static func check<Tag>(_ tag: Tag.Type) throws -> Bool {
        let text = Array(#"{"name":"n"}"#.utf8)
        let tagged = try JSONValueDecoder().decode(Tagged<Tag>.self, fromJSON: text)
        let plain = try JSONValueDecoder().decode(Untagged<Tag>.self, fromJSON: text)
        return tagged.readByMembers && tagged.name == "n" && plain.name == "n"
    }

    /// Many threads asking about many new types at once (the process-wide table of answers
    /// grows while others read it): every answer is right.
    @Test func newTypesAskedAboutConcurrentlyAreAllAnsweredRight() async throws {
        let checks: [@Sendable () throws -> Bool] = [
            { try Self.check(Int8.self) }, { try Self.check(Int16.self) }, { try Self.check(Int32.self) }, { try Self.check(UInt8.self) },
            { try Self.check(UInt16.self) }, { try Self.check(UInt32.self) }, { try Self.check(UInt64.self) }, { try Self.check(Float.self) },
            { try Self.check(Double.self) }, { try Self.check(Bool.self) }, { try Self.check(Character.self) }, { try Self.check(Unicode.Scalar.self) },
            { try Self.check([Int8].self) }, { try Self.check([Int16].self) }, { try Self.check([Int32].self) }, { try Self.check(Set<Int8>.self) },
            { try Self.check(Set<Int16>.self) }, { try Self.check(Set<Int32>.self) }, { try Self.check(Int8?.self) }, { try Self.check(Int16?.self) },
        ]
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for round in 0..<8 {
                for offset in checks.indices { group.addTask { try checks[(offset + round * 5) % checks.count]() } }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 8 * checks.count && results.allSatisfy { $0 })
    }
}
