/// Any one of the three Elevator kinds, chosen by the document's `apiVersion` and `kind`: what
/// `elevator lint`, `render` and `test` read from multi-document manifests.
///
/// Decoding reads `apiVersion` and `kind` first and then decodes the matching type from the same
/// decoder, so the YAML module's positioned errors (`file:line:column: spec.x: ...`) still apply.
public enum ElevationObject: Hashable, Sendable, Decodable {
    case policy(ElevationPolicy)
    case request(ElevationRequest)
    case approval(ElevationApproval)

    private enum CodingKeys: String, CodingKey { case apiVersion, kind }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let apiVersion = try container.decode(String.self, forKey: .apiVersion)
        guard apiVersion == ElevationAPI.apiVersion else {
            throw DecodingError.dataCorruptedError(
                forKey: .apiVersion, in: container,
                debugDescription: "\"\(apiVersion)\" is not \(ElevationAPI.apiVersion), the only version Elevator serves")
        }
        switch try container.decode(String.self, forKey: .kind) {
        case "ElevationPolicy": self = .policy(try ElevationPolicy(from: decoder))
        case "ElevationRequest": self = .request(try ElevationRequest(from: decoder))
        case "ElevationApproval": self = .approval(try ElevationApproval(from: decoder))
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: container,
                debugDescription: "\"\(other)\" is not an Elevator kind: use ElevationPolicy, ElevationRequest or ElevationApproval")
        }
    }

    /// The object's metadata, whatever its kind.
    public var metadata: ObjectMeta {
        switch self {
        case .policy(let policy): return policy.metadata
        case .request(let request): return request.metadata
        case .approval(let approval): return approval.metadata
        }
    }
}
