import YAML

/// API.md "Identity": where the MutatingAdmissionPolicies are installed, a bare `kubectl apply`
/// of a request without `spec.requester` (or an approval without `spec.approver`) works, because
/// admission fills it from the caller. Lint therefore warns instead of failing, and checks the rest
/// of the document as if the field were filled.
enum IdentityDefaulting {
    /// The user put in the missing identity while linting; never shown, never granted.
    static let placeholder = "\u{0}filled-at-admission"

    /// The identity field a document leaves out, and the document's JSON with it filled; nil when
    /// the document is not a request or approval, or sets the field.
    static func patched(_ root: YAMLNode) -> (field: String, json: JSONValue)? {
        let field: String
        switch root["kind"]?.scalar {
        case "ElevationRequest": field = "requester"
        case "ElevationApproval": field = "approver"
        default: return nil
        }
        guard let spec = root["spec"], spec.kind == .mapping, spec[field] == nil, var json = try? root.toJSON(),
            var specJSON = json["spec"], case .object = specJSON
        else { return nil }
        specJSON[field] = .object(["user": .string(placeholder)])
        json["spec"] = specJSON
        return ("spec.\(field)", json)
    }

    /// The warning for a document that leaves its identity field to admission.
    static let note = "is not set: the MutatingAdmissionPolicy fills it from your identity where it is installed "
        + "(Kubernetes 1.36+); on clusters without it the API server refuses the object, so set it there"
}
