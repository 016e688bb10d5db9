import Foundation
import YAML

/// A kubeconfig: named clusters, users and contexts, and the current context.
///
/// Built from the decoded document (`JSONValue`), so it is independent of the YAML reader.
/// Relative file paths (CA, client certificate and key, token file, exec command) are resolved
/// against the directory of the file that named them, as client-go does.
public struct Kubeconfig: Hashable, Sendable {
    /// A `clusters[].cluster` entry.
    public struct Cluster: Hashable, Sendable {
        public var server: String
        public var certificateAuthority: String?
        public var certificateAuthorityData: [UInt8]?
        public var insecureSkipTLSVerify: Bool
        public var tlsServerName: String?
        public var proxyURL: String?
    }

    /// A `users[].user` entry.
    public struct User: Hashable, Sendable {
        public var clientCertificate: String?
        public var clientCertificateData: [UInt8]?
        public var clientKey: String?
        public var clientKeyData: [UInt8]?
        public var token: String?
        public var tokenFile: String?
        public var exec: ExecConfig?
    }

    /// A `contexts[].context` entry.
    public struct Context: Hashable, Sendable {
        public var cluster: String
        public var user: String
        public var namespace: String?
    }

    public var clusters: [String: Cluster] = [:]
    public var users: [String: User] = [:]
    public var contexts: [String: Context] = [:]
    public var currentContext: String?

    /// An empty kubeconfig.
    public init() {}

    /// Reads one kubeconfig document; `directory` anchors its relative paths.
    public init(document: JSONValue, directory: String) throws(KubeError) {
        guard case .object = document else { throw KubeError.configuration("the kubeconfig is not a mapping") }
        currentContext = document["current-context"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        for entry in document["clusters"]?.arrayValue ?? [] {
            guard let name = entry["name"]?.stringValue, let cluster = entry["cluster"] else { continue }
            guard let server = cluster["server"]?.stringValue, !server.isEmpty else {
                throw KubeError.configuration("cluster '\(name)' in the kubeconfig has no server; add its URL")
            }
            clusters[name] = Cluster(
                server: server,
                certificateAuthority: Self.path(cluster["certificate-authority"], directory),
                certificateAuthorityData: try Self.base64(cluster["certificate-authority-data"], "certificate-authority-data of cluster '\(name)'"),
                insecureSkipTLSVerify: cluster["insecure-skip-tls-verify"]?.boolValue ?? false,
                tlsServerName: cluster["tls-server-name"]?.stringValue,
                proxyURL: cluster["proxy-url"]?.stringValue)
        }
        for entry in document["users"]?.arrayValue ?? [] {
            guard let name = entry["name"]?.stringValue else { continue }
            let user = entry["user"] ?? .object([:])
            var exec: ExecConfig?
            if let json = user["exec"] { exec = try ExecConfig(json: json, user: name, directory: directory) }
            users[name] = User(
                clientCertificate: Self.path(user["client-certificate"], directory),
                clientCertificateData: try Self.base64(user["client-certificate-data"], "client-certificate-data of user '\(name)'"),
                clientKey: Self.path(user["client-key"], directory),
                clientKeyData: try Self.base64(user["client-key-data"], "client-key-data of user '\(name)'"),
                token: user["token"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
                tokenFile: Self.path(user["tokenFile"], directory),
                exec: exec)
        }
        for entry in document["contexts"]?.arrayValue ?? [] {
            guard let name = entry["name"]?.stringValue, let context = entry["context"] else { continue }
            contexts[name] = Context(
                cluster: context["cluster"]?.stringValue ?? "", user: context["user"]?.stringValue ?? "",
                namespace: context["namespace"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 })
        }
    }

    /// Merges kubeconfigs in `KUBECONFIG` order with client-go's rules: the first file to define a
    /// cluster, user or context name wins (entries are never merged field by field), and the first
    /// non-empty `current-context` wins.
    public static func merged(_ configs: [Kubeconfig]) -> Kubeconfig {
        var result = Kubeconfig()
        for config in configs {
            result.clusters.merge(config.clusters) { first, _ in first }
            result.users.merge(config.users) { first, _ in first }
            result.contexts.merge(config.contexts) { first, _ in first }
            if result.currentContext == nil { result.currentContext = config.currentContext }
        }
        return result
    }

    static func path(_ value: JSONValue?, _ directory: String) -> String? {
        guard let path = value?.stringValue, !path.isEmpty else { return nil }
        if path.hasPrefix("/") { return path }
        if path.hasPrefix("~/") { return NSHomeDirectory() + String(path.dropFirst(1)) }
        return directory + "/" + path
    }

    static func base64(_ value: JSONValue?, _ what: String) throws(KubeError) -> [UInt8]? {
        guard let text = value?.stringValue, !text.isEmpty else { return nil }
        guard let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters) else {
            throw KubeError.configuration("\(what) in the kubeconfig is not valid base64")
        }
        return Array(data)
    }
}
