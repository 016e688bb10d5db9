import YAML

// A request and its spec are read member by member (`JSONMemberReadable`), like its status: the
// controller decodes a request from every watch event and every write response about it, and
// ten thousand from the LIST of a cold start; through keyed containers each object of the spec
// cost a boxed container and a lookup per key. Each reads the same keys, with the same types
// and errors, as its `Codable` conformance; `MemberDecodingTests` checks that both agree.

extension ElevationRequest: JSONMemberReadable {
    /// A request's members as read one at a time (`JSONMemberReadable`).
    public struct Members: JSONMembers {
        var apiVersion: String?
        var kind: String?
        var metadata: ObjectMeta?
        var spec: ElevationRequestSpec?
        var status: ElevationRequestStatus?

        /// No member read yet.
        public init() {}

        /// Reads one member (the keys and types of `ElevationRequest`'s `Codable` conformance).
        public mutating func decodeMember(_ member: borrowing JSONMember) throws {
            if member.is("spec") {
                spec = try member.decode(ElevationRequestSpec.self)
            } else if member.is("status") {
                status = try member.decode(ElevationRequestStatus.self)
            } else if member.is("metadata") {
                metadata = try member.decode(ObjectMeta.self)
            } else if member.is("apiVersion") {
                apiVersion = try member.decodeString()
            } else if member.is("kind") {
                kind = try member.decodeString()
            }
        }
    }

    /// The request, or nil without `metadata` or `spec`.
    public init?(members: Members) {
        guard let metadata = members.metadata, let spec = members.spec else { return nil }
        self.init(metadata: metadata, spec: spec, status: members.status)
        apiVersion = members.apiVersion
        kind = members.kind
    }
}

extension ElevationRequestSpec: JSONMemberReadable {
    /// A request spec's members as read one at a time (`JSONMemberReadable`).
    public struct Members: JSONMembers {
        var policy: String?
        var requester: Identity?
        var subject: Subject?
        var rules: [AccessRule]?
        var duration: String?
        var reason: String?
        var breakGlass: Bool?
        var extends: String?
        var revoked: Bool?

        /// No member read yet.
        public init() {}

        /// Reads one member (the keys and types of `ElevationRequestSpec`'s `Codable` conformance).
        public mutating func decodeMember(_ member: borrowing JSONMember) throws {
            if member.is("policy") {
                policy = try member.decodeString()
            } else if member.is("requester") {
                requester = try member.decode(Identity.self)
            } else if member.is("subject") {
                subject = try member.decode(Subject.self)
            } else if member.is("rules") {
                rules = try member.decodeArray(of: AccessRule.self)
            } else if member.is("duration") {
                duration = try member.decodeString()
            } else if member.is("reason") {
                reason = try member.decodeString()
            } else if member.is("breakGlass") {
                breakGlass = try member.decodeBool()
            } else if member.is("extends") {
                extends = try member.decodeString()
            } else if member.is("revoked") {
                revoked = try member.decodeBool()
            }
        }
    }

    /// The spec, or nil without `policy`, `requester` or `subject`.
    public init?(members: Members) {
        guard let policy = members.policy, let requester = members.requester, let subject = members.subject else { return nil }
        self.init(
            policy: policy, requester: requester, subject: subject, rules: members.rules, duration: members.duration,
            reason: members.reason, breakGlass: members.breakGlass, extends: members.extends, revoked: members.revoked)
    }
}

extension Identity: JSONMemberReadable {
    /// An identity's members as read one at a time (`JSONMemberReadable`).
    public struct Members: JSONMembers {
        var user: String?
        var groups: [String]?

        /// No member read yet.
        public init() {}

        /// Reads one member (the keys and types of `Identity`'s `Codable` conformance).
        public mutating func decodeMember(_ member: borrowing JSONMember) throws {
            if member.is("user") {
                user = try member.decodeString()
            } else if member.is("groups") {
                groups = try member.decode([String].self)
            }
        }
    }

    /// The identity, or nil without `user`.
    public init?(members: Members) {
        guard let user = members.user else { return nil }
        self.init(user: user, groups: members.groups)
    }
}

extension Subject: JSONMemberDecodable {
    /// A subject with neither form set, which `decodeMember(_:)` fills in.
    public init() {
        self.init(serviceAccount: nil)
    }

    /// Reads one member (the keys and types of the `Codable` conformance).
    public mutating func decodeMember(_ member: borrowing JSONMember) throws {
        if member.is("serviceAccount") {
            serviceAccount = try member.decode(ServiceAccountRef.self)
        } else if member.is("requestPrincipal") {
            requestPrincipal = try member.decodeString()
        }
    }
}

extension ServiceAccountRef: JSONMemberReadable {
    /// A service account reference's members as read one at a time (`JSONMemberReadable`).
    public struct Members: JSONMembers {
        var namespace: String?
        var name: String?

        /// No member read yet.
        public init() {}

        /// Reads one member (the keys and types of `ServiceAccountRef`'s `Codable` conformance).
        public mutating func decodeMember(_ member: borrowing JSONMember) throws {
            if member.is("namespace") {
                namespace = try member.decodeString()
            } else if member.is("name") {
                name = try member.decodeString()
            }
        }
    }

    /// The account, or nil without `namespace` or `name`.
    public init?(members: Members) {
        guard let namespace = members.namespace, let name = members.name else { return nil }
        self.init(namespace: namespace, name: name)
    }
}

extension AccessRule: JSONMemberDecodable {
    /// A rule with no field set, which `decodeMember(_:)` fills in.
    public init() {
        self.init(ports: nil)
    }

    /// Reads one member (the keys and types of the `Codable` conformance).
    public mutating func decodeMember(_ member: borrowing JSONMember) throws {
        if member.is("ports") {
            ports = try member.decode([String].self)
        } else if member.is("methods") {
            methods = try member.decode([String].self)
        } else if member.is("paths") {
            paths = try member.decode([String].self)
        }
    }
}
