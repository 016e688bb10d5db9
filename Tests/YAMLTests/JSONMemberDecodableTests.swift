import Testing
import YAML

/// `JSONMemberDecodable`: the tape decoder reads such a type member by member, and the result
/// is what `init(from:)` gives (the tree decoder and every other decoder use that).
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
}
