import Foundation
import YAML

// The request's status and spec write their own JSON text (`JSONTextEncodable`): every grant
// encodes its status for the patch and for the transition's digest, and its spec for the spec
// hash. Each writer lists the same fields as the type's `Codable` conformance, in key order;
// `JSONTextEncodingTests` (ElevatorControllerTests) checks them against it.

extension ElevationRequestStatus: JSONTextEncodable {
    /// Writes the status as its `Codable` conformance encodes it.
    public func writeJSON(into text: inout JSONText) throws {
        try text.object { text in
            try text.member("approvals", approvals)
            try text.member("conditions", conditions)
            text.member("expiresAt", expiresAt.map(RFC3339.format))
            try text.member("grant", grant)
            text.member("grantedAt", grantedAt.map(RFC3339.format))
            text.member("observedGeneration", observedGeneration)
            text.member("phase", phase)
            text.member("specHash", specHash)
        }
    }
}

extension ApprovalRecord: JSONTextEncodable {
    /// Writes the record as its `Codable` conformance encodes it.
    public func writeJSON(into text: inout JSONText) throws {
        text.object { text in
            text.member("approver", approver)
            text.member("at", at.map(RFC3339.format))
            text.member("decision", decision)
            text.member("stage", stage)
        }
    }
}

extension ObjectReference: JSONTextEncodable {
    /// Writes the reference as its `Codable` conformance encodes it.
    public func writeJSON(into text: inout JSONText) throws {
        text.object { text in
            text.member("apiVersion", apiVersion)
            text.member("kind", kind)
            text.member("name", name)
        }
    }
}

extension Condition: JSONTextEncodable {
    /// Writes the condition as its `Codable` conformance encodes it.
    public func writeJSON(into text: inout JSONText) throws {
        text.object { text in
            text.member("lastTransitionTime", RFC3339.format(lastTransitionTime))
            text.member("message", message)
            text.member("observedGeneration", observedGeneration)
            text.member("reason", reason)
            text.member("status", status)
            text.member("type", type)
        }
    }
}

extension ElevationRequestSpec: JSONTextEncodable {
    /// Writes the spec as its `Codable` conformance encodes it.
    public func writeJSON(into text: inout JSONText) throws {
        try text.object { text in
            text.member("breakGlass", breakGlass)
            text.member("duration", duration)
            text.member("extends", extends)
            text.member("policy", policy)
            text.member("reason", reason)
            try text.member("requester", requester)
            text.member("revoked", revoked)
            try text.member("rules", rules)
            try text.member("subject", subject)
        }
    }
}

extension Identity: JSONTextEncodable {
    /// Writes the identity as its `Codable` conformance encodes it.
    public func writeJSON(into text: inout JSONText) throws {
        text.object { text in
            text.member("groups", groups)
            text.member("user", user)
        }
    }
}

extension Subject: JSONTextEncodable {
    /// Writes the subject as its `Codable` conformance encodes it.
    public func writeJSON(into text: inout JSONText) throws {
        try text.object { text in
            text.member("requestPrincipal", requestPrincipal)
            try text.member("serviceAccount", serviceAccount)
        }
    }
}

extension ServiceAccountRef: JSONTextEncodable {
    /// Writes the reference as its `Codable` conformance encodes it.
    public func writeJSON(into text: inout JSONText) throws {
        text.object { text in
            text.member("name", name)
            text.member("namespace", namespace)
        }
    }
}

extension AccessRule: JSONTextEncodable {
    /// Writes the rule as its `Codable` conformance encodes it.
    public func writeJSON(into text: inout JSONText) throws {
        text.object { text in
            text.member("methods", methods)
            text.member("paths", paths)
            text.member("ports", ports)
        }
    }
}
