import Foundation
import YAML

// A request's status and the metadata of Elevation's objects are read member by member
// (`JSONMemberDecodable`): the controller decodes a request for every write it makes to one, and
// every object of a LIST. Each `decodeMember` reads the same keys, with the same types and
// errors, as `init(from:)`; `MemberDecodingTests` checks that both agree.

extension ElevationRequestStatus: JSONMemberDecodable {
    /// Reads one member of a status object (the keys and types of the `Codable` conformance).
    public mutating func decodeMember(_ member: borrowing JSONMember) throws {
        if member.is("phase") {
            phase = try member.decode(RequestPhase.self)
        } else if member.is("conditions") {
            conditions = try Self.conditions(member)
        } else if member.is("expiresAt") {
            expiresAt = try member.decode(RFC3339Timestamp.self)?.date
        } else if member.is("grantedAt") {
            grantedAt = try member.decode(RFC3339Timestamp.self)?.date
        } else if member.is("observedGeneration") {
            observedGeneration = try member.decodeInt64()
        } else if member.is("specHash") {
            specHash = try member.decodeString()
        } else if member.is("grant") {
            grant = try member.decode([ObjectReference].self)
        } else if member.is("approvals") {
            approvals = try member.decode([ApprovalRecord].self)
        }
    }
}

extension ElevationRequestStatus {
    /// The conditions, read member by member. A condition that lacks a required key is read
    /// again through `Condition`'s `Decodable`, which throws the error it would have.
    private static func conditions(_ member: borrowing JSONMember) throws -> [Condition]? {
        guard let read = try member.decode([ConditionMembers].self) else { return nil }
        var conditions: [Condition] = []
        conditions.reserveCapacity(read.count)
        for entry in read {
            guard let condition = entry.condition else { return try member.decode([Condition].self) }
            conditions.append(condition)
        }
        return conditions
    }
}

/// A condition's members as read one at a time: `Condition` has required keys, which a
/// `decodeMember` cannot report missing, so they are optional here and checked afterwards.
struct ConditionMembers: JSONMemberDecodable {
    var type: String?
    var status: Condition.Status?
    var reason: String?
    var message: String?
    var observedGeneration: Int64?
    var lastTransitionTime: Date?

    init() {}

    /// Through `Condition`'s own `Decodable`, for what the tape does not read member by member
    /// (an object whose keys repeat, a value that is not an object): the same condition, or the
    /// same error.
    init(from decoder: any Decoder) throws {
        let condition = try Condition(from: decoder)
        type = condition.type
        status = condition.status
        reason = condition.reason
        message = condition.message
        observedGeneration = condition.observedGeneration
        lastTransitionTime = condition.lastTransitionTime
    }

    mutating func decodeMember(_ member: borrowing JSONMember) throws {
        if member.is("type") {
            type = try member.decodeString()
        } else if member.is("status") {
            status = try member.decode(Condition.Status.self)
        } else if member.is("reason") {
            reason = try member.decodeString()
        } else if member.is("message") {
            message = try member.decodeString()
        } else if member.is("observedGeneration") {
            observedGeneration = try member.decodeInt64()
        } else if member.is("lastTransitionTime") {
            lastTransitionTime = try member.decode(RFC3339Timestamp.self)?.date
        }
    }

    /// The condition as `Condition`'s `init(from:)` reads it, or nil when a required key is missing.
    var condition: Condition? {
        guard let type, let status else { return nil }
        return Condition(
            type: type, status: status, reason: reason ?? "", message: message ?? "", observedGeneration: observedGeneration,
            lastTransitionTime: lastTransitionTime ?? Date(timeIntervalSince1970: 0))
    }
}

extension ObjectMeta: JSONMemberDecodable {
    /// Metadata with nothing set (an empty name, as `init(from:)` reads a missing one).
    public init() {
        self.init(name: "")
    }

    /// Reads one member of a metadata object (the keys and types of the `Codable` conformance).
    public mutating func decodeMember(_ member: borrowing JSONMember) throws {
        if member.is("name") {
            name = try member.decodeString() ?? ""
        } else if member.is("namespace") {
            namespace = try member.decodeString()
        } else if member.is("uid") {
            uid = try member.decodeString()
        } else if member.is("resourceVersion") {
            resourceVersion = try member.decodeString()
        } else if member.is("generation") {
            generation = try member.decodeInt64()
        } else if member.is("labels") {
            labels = try member.decode([String: String].self)
        } else if member.is("annotations") {
            annotations = try member.decode([String: String].self)
        } else if member.is("finalizers") {
            finalizers = try member.decode([String].self)
        } else if member.is("creationTimestamp") {
            creationTimestamp = try member.decode(RFC3339Timestamp.self)?.date
        } else if member.is("deletionTimestamp") {
            deletionTimestamp = try member.decode(RFC3339Timestamp.self)?.date
        }
    }
}

/// An RFC 3339 time read as `decodeTimestamp(forKey:)` reads one, for member-wise decoding.
struct RFC3339Timestamp: Decodable {
    var date: Date

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = RFC3339.parse(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: RFC3339.notATime(text))
        }
        self.date = date
    }
}
