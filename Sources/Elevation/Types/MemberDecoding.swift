import Foundation
import YAML

// A request's status and the metadata of Elevation's objects are read member by member
// (`JSONMemberDecodable`, `JSONMemberReadable`): the controller decodes a request for every
// write it makes to one, and every object of a LIST. Each `decodeMember` reads the same keys,
// with the same types and errors, as `init(from:)`; `MemberDecodingTests` checks that both agree.

extension ElevationRequestStatus: JSONMemberDecodable {
    /// Reads one member of a status object (the keys and types of the `Codable` conformance).
    public mutating func decodeMember(_ member: borrowing JSONMember) throws {
        if member.is("phase") {
            phase = try member.decodeRawValue(RequestPhase.self)
        } else if member.is("conditions") {
            conditions = try member.decodeArray(of: Condition.self)
        } else if member.is("expiresAt") {
            expiresAt = try member.decodeTimestamp()
        } else if member.is("grantedAt") {
            grantedAt = try member.decodeTimestamp()
        } else if member.is("observedGeneration") {
            observedGeneration = try member.decodeInt64()
        } else if member.is("specHash") {
            specHash = try member.decodeString()
        } else if member.is("grant") {
            grant = try member.decodeArray(of: ObjectReference.self)
        } else if member.is("approvals") {
            approvals = try member.decodeArray(of: ApprovalRecord.self)
        }
    }
}

extension Condition: JSONMemberReadable {
    /// A condition's members as read one at a time (`JSONMemberReadable`).
    public struct Members: JSONMembers {
        var type: String?
        var status: Condition.Status?
        var reason: String?
        var message: String?
        var observedGeneration: Int64?
        var lastTransitionTime: Date?

        /// No member read yet.
        public init() {}

        /// Reads one member (the keys and types of `Condition`'s `Codable` conformance).
        public mutating func decodeMember(_ member: borrowing JSONMember) throws {
            if member.is("type") {
                type = try member.decodeString()
            } else if member.is("status") {
                status = try member.decodeRawValue(Condition.Status.self)
            } else if member.is("reason") {
                reason = try member.decodeString()
            } else if member.is("message") {
                message = try member.decodeString()
            } else if member.is("observedGeneration") {
                observedGeneration = try member.decodeInt64()
            } else if member.is("lastTransitionTime") {
                lastTransitionTime = try member.decodeTimestamp()
            }
        }
    }

    /// The condition as `init(from:)` reads it, or nil without `type` or `status`.
    public init?(members: Members) {
        guard let type = members.type, let status = members.status else { return nil }
        self.init(
            type: type, status: status, reason: members.reason ?? "", message: members.message ?? "",
            observedGeneration: members.observedGeneration,
            lastTransitionTime: members.lastTransitionTime ?? Date(timeIntervalSince1970: 0))
    }
}

extension ApprovalRecord: JSONMemberReadable {
    /// An approval record's members as read one at a time (`JSONMemberReadable`).
    public struct Members: JSONMembers {
        var approver: String?
        var stage: String?
        var decision: ApprovalDecision?
        var at: Date?

        /// No member read yet.
        public init() {}

        /// Reads one member (the keys and types of `ApprovalRecord`'s `Codable` conformance).
        public mutating func decodeMember(_ member: borrowing JSONMember) throws {
            if member.is("approver") {
                approver = try member.decodeString()
            } else if member.is("stage") {
                stage = try member.decodeString()
            } else if member.is("decision") {
                decision = try member.decodeRawValue(ApprovalDecision.self)
            } else if member.is("at") {
                at = try member.decodeTimestamp()
            }
        }
    }

    /// The record, or nil without `approver`, `stage` or `decision`.
    public init?(members: Members) {
        guard let approver = members.approver, let stage = members.stage, let decision = members.decision else { return nil }
        self.init(approver: approver, stage: stage, decision: decision, at: members.at)
    }
}

extension ObjectReference: JSONMemberReadable {
    /// A reference's members as read one at a time (`JSONMemberReadable`).
    public struct Members: JSONMembers {
        var apiVersion: String?
        var kind: String?
        var name: String?

        /// No member read yet.
        public init() {}

        /// Reads one member (the keys and types of `ObjectReference`'s `Codable` conformance).
        public mutating func decodeMember(_ member: borrowing JSONMember) throws {
            if member.is("apiVersion") {
                apiVersion = try member.decodeString()
            } else if member.is("kind") {
                kind = try member.decodeString()
            } else if member.is("name") {
                name = try member.decodeString()
            }
        }
    }

    /// The reference, or nil without `apiVersion`, `kind` or `name`.
    public init?(members: Members) {
        guard let apiVersion = members.apiVersion, let kind = members.kind, let name = members.name else { return nil }
        self.init(apiVersion: apiVersion, kind: kind, name: name)
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
            creationTimestamp = try member.decodeTimestamp()
        } else if member.is("deletionTimestamp") {
            deletionTimestamp = try member.decodeTimestamp()
        }
    }
}

extension JSONMember {
    /// The value as an RFC 3339 time, or nil for null: parsed from the string's bytes in place,
    /// and through `RFC3339Timestamp` (its error) for anything else.
    func decodeTimestamp() throws -> Date? {
        if let date = withUnescapedString(RFC3339.parse(bytes:)) { return date }
        return try decode(RFC3339Timestamp.self)?.date
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
