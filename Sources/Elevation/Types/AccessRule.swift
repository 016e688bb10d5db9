/// What a grant opens on the target: ports, HTTP methods and paths, as in Istio's `operation`.
///
/// Fields are ANDed; the values of one field are ORed; an omitted or empty field means "any".
/// Paths take Istio's forms (`/exact`, `/prefix/*`, `*/suffix`, `*`, see `PathPattern`); ports are
/// decimal strings `1`-`65535` (container ports, not Service ports).
public struct AccessRule: Hashable, Sendable, Codable {
    public var ports: [String]?
    public var methods: [String]?
    public var paths: [String]?

    /// A rule; nil or empty fields mean "any".
    public init(ports: [String]? = nil, methods: [String]? = nil, paths: [String]? = nil) {
        self.ports = ports
        self.methods = methods
        self.paths = paths
    }

    /// `GET,POST /admin/*,/debug/* :8080` — a one-line summary for messages.
    public var display: String {
        let methodText = methods.flatMap { $0.isEmpty ? nil : $0.joined(separator: ",") } ?? "any method"
        let pathText = paths.flatMap { $0.isEmpty ? nil : $0.joined(separator: ",") } ?? "any path"
        let portText = ports.flatMap { $0.isEmpty ? nil : " port " + $0.joined(separator: ",") } ?? ""
        return "\(methodText) \(pathText)\(portText)"
    }

    /// The HTTP methods a rule may name (RFC 9110 plus PATCH), compared exactly, upper case, as Istio does.
    public static let httpMethods: Set<String> = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
    ]
}
