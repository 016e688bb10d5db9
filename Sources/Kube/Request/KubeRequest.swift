import Foundation

/// One HTTP request to the API server as a plain value: what to send, never how.
///
/// Building a request is pure (see `KubeRequest+Builders.swift`), so every verb, query parameter
/// and header is tested without a server; the transport only executes these values.
public struct KubeRequest: Hashable, Sendable {
    /// The HTTP method.
    public enum Method: String, Hashable, Sendable {
        case get = "GET"
        case post = "POST"
        case put = "PUT"
        case patch = "PATCH"
        case delete = "DELETE"
    }

    /// Which API verb this request is, for the API-call counter and the retry policy.
    public enum Verb: String, Hashable, Sendable, CaseIterable {
        case get, list, watch, create, replace, patch, apply, delete
    }

    public var method: Method
    public var verb: Verb
    /// The absolute path, e.g. `/apis/coordination.k8s.io/v1/namespaces/ns/leases/name`.
    public var path: String
    /// Query parameters in the order they are sent; values are not yet percent-encoded.
    public var query: [(name: String, value: String)]
    /// Request headers (`Content-Type`, `Accept`).
    public var headers: [String: String]
    public var body: Data?

    /// A request with the given parts.
    public init(
        method: Method, verb: Verb, path: String, query: [(name: String, value: String)] = [],
        headers: [String: String] = [:], body: Data? = nil
    ) {
        self.method = method
        self.verb = verb
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The value of query parameter `name`, if present.
    public func queryValue(_ name: String) -> String? { query.first { $0.name == name }?.value }

    /// Whether sending this request twice has the same effect as sending it once, so a failed
    /// attempt may be retried. Create (POST) is not; a delete with a uid precondition is.
    public var isIdempotent: Bool {
        switch verb {
        case .get, .list, .watch, .replace, .apply, .delete: true
        case .create: false
        // Merge and JSON patches may be relative (JSON-Patch `add` to a list); apply is absolute.
        case .patch: false
        }
    }

    /// Path plus the percent-encoded query string.
    public var pathAndQuery: String {
        guard !query.isEmpty else { return path }
        let encoded = query.map { "\(Self.percentEncode($0.name))=\(Self.percentEncode($0.value))" }
        return path + "?" + encoded.joined(separator: "&")
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters, so selectors such as
    /// `app in (a,b),tier!=db` survive intact.
    static func percentEncode(_ text: String) -> String {
        // Most names and values (fieldManager=elevator, a resourceVersion) need no escape at all;
        // building them again scalar by scalar cost about 14,000 instructions per request.
        guard !text.utf8.allSatisfy(isUnreserved) else { return text }
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count * 3)
        for byte in text.utf8 {
            if isUnreserved(byte) {
                bytes.append(byte)
            } else {
                bytes.append(contentsOf: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// RFC 3986's unreserved characters: letters, digits, `-`, `.`, `_` and `~`.
    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    public static func == (lhs: KubeRequest, rhs: KubeRequest) -> Bool {
        lhs.method == rhs.method && lhs.verb == rhs.verb && lhs.path == rhs.path && lhs.headers == rhs.headers
            && lhs.body == rhs.body && lhs.query.map(\.name) == rhs.query.map(\.name)
            && lhs.query.map(\.value) == rhs.query.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(path)
        hasher.combine(body)
        for item in query {
            hasher.combine(item.name)
            hasher.combine(item.value)
        }
    }
}
