import Foundation
import YAML

/// Everything the transport needs to reach one API server as one user: the resolved result of a
/// kubeconfig context or of the in-cluster service account.
public struct ClientConfiguration: Hashable, Sendable {
    /// `https://host:port` (no trailing slash); IPv6 hosts are bracketed.
    public var server: String
    /// The default namespace (the context's, or the service account's, else `default`).
    public var namespace: String
    public var tls: TLSConfiguration
    public var credentials: Credentials
    /// An HTTP(S) or SOCKS proxy for every connection (kubeconfig `proxy-url`).
    public var proxyURL: String?
    /// The cluster as an exec plugin sees it in `KUBERNETES_EXEC_INFO` (when asked for).
    var execCluster: Kubeconfig.Cluster?

    /// A configuration with the given parts.
    public init(server: String, namespace: String = "default", tls: TLSConfiguration = TLSConfiguration(), credentials: Credentials = .none) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.namespace = namespace
        self.tls = tls
        self.credentials = credentials
    }

    /// The configuration of `context` (default: the current context) of `kubeconfig`.
    public init(kubeconfig: Kubeconfig, context: String? = nil) throws(KubeError) {
        guard let contextName = context ?? kubeconfig.currentContext else {
            throw KubeError.configuration("the kubeconfig has no current-context; set one with `kubectl config use-context`")
        }
        guard let selected = kubeconfig.contexts[contextName] else {
            throw KubeError.configuration("context '\(contextName)' is not in the kubeconfig")
        }
        guard let cluster = kubeconfig.clusters[selected.cluster] else {
            throw KubeError.configuration("cluster '\(selected.cluster)' of context '\(contextName)' is not in the kubeconfig")
        }
        let user = kubeconfig.users[selected.user] ?? Kubeconfig.User()
        var tls = TLSConfiguration()
        tls.insecureSkipVerify = cluster.insecureSkipTLSVerify
        tls.serverName = cluster.tlsServerName
        // Data wins over a file path, as in client-go.
        if let data = cluster.certificateAuthorityData {
            tls.certificateAuthority = .data(data)
        } else if let path = cluster.certificateAuthority {
            tls.certificateAuthority = .file(path)
        }
        if let data = user.clientCertificateData {
            tls.clientCertificate = .data(data)
        } else if let path = user.clientCertificate {
            tls.clientCertificate = .file(path)
        }
        if let data = user.clientKeyData {
            tls.clientKey = .data(data)
        } else if let path = user.clientKey {
            tls.clientKey = .file(path)
        }
        if (tls.clientCertificate == nil) != (tls.clientKey == nil) {
            throw KubeError.configuration("user '\(selected.user)' has a client certificate without a key or a key without a certificate")
        }
        let credentials: Credentials
        if let exec = user.exec {
            credentials = .exec(exec)
        } else if let token = user.token {
            credentials = .token(token)
        } else if let path = user.tokenFile {
            credentials = .tokenFile(path)
        } else {
            credentials = .none
        }
        self.init(server: cluster.server, namespace: selected.namespace ?? "default", tls: tls, credentials: credentials)
        self.proxyURL = cluster.proxyURL
        self.execCluster = cluster
    }

    /// The in-cluster configuration from the service account a pod runs as.
    ///
    /// Reads `KUBERNETES_SERVICE_HOST`/`_PORT` and, in `directory`, `ca.crt` and `namespace`; the
    /// token is re-read from `token` at least every 60 s and after a 401 (bound tokens rotate).
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        directory: String = "/var/run/secrets/kubernetes.io/serviceaccount"
    ) throws(KubeError) -> ClientConfiguration {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw KubeError.configuration(
                "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set")
        }
        guard FileManager.default.fileExists(atPath: directory + "/token") else {
            throw KubeError.configuration("no service account token at \(directory)/token; mount the service account")
        }
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        var namespace = "default"
        if let text = try? String(contentsOfFile: directory + "/namespace", encoding: .utf8) {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { namespace = trimmed }
        }
        var tls = TLSConfiguration()
        tls.certificateAuthority = .file(directory + "/ca.crt")
        return ClientConfiguration(
            server: "https://\(bracketed):\(port)", namespace: namespace, tls: tls,
            credentials: .serviceAccountToken(directory + "/token"))
    }

    /// Loads the configuration the way kubectl finds it: the files of `KUBECONFIG` (merged), else
    /// `~/.kube/config`, else the in-cluster service account.
    ///
    /// `parse` turns a file's text into its document (YAML by default; JSON is valid YAML).
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment, context: String? = nil,
        parse: (String, String) throws -> JSONValue = KubeconfigFile.parseYAML
    ) throws(KubeError) -> ClientConfiguration {
        var paths: [String] = []
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            for path in list.split(separator: ":").map(String.init) where !path.isEmpty && !paths.contains(path) {
                paths.append(path)
            }
        } else {
            let home = environment["HOME"] ?? NSHomeDirectory()
            paths = [home + "/.kube/config"]
        }
        let existing = paths.filter { FileManager.default.fileExists(atPath: $0) }
        if existing.isEmpty {
            if environment["KUBERNETES_SERVICE_HOST"] != nil { return try inCluster(environment: environment) }
            throw KubeError.configuration(
                "no kubeconfig found (looked at \(paths.joined(separator: ", "))) and not running in a cluster")
        }
        let configs = try existing.map { (path) throws(KubeError) in try KubeconfigFile.read(path, parse: parse) }
        return try ClientConfiguration(kubeconfig: .merged(configs), context: context)
    }
}

/// Reading kubeconfig files.
public enum KubeconfigFile {
    /// Reads and parses the kubeconfig at `path`; relative paths inside resolve against its directory.
    public static func read(_ path: String, parse: (String, String) throws -> JSONValue = parseYAML) throws(KubeError)
        -> Kubeconfig
    {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw KubeError.configuration("cannot read the kubeconfig \(path): \(error.localizedDescription)")
        }
        let document: JSONValue
        do {
            document = try parse(text, path)
        } catch {
            throw KubeError.configuration("cannot parse the kubeconfig \(path): \(error)")
        }
        let directory = (path as NSString).deletingLastPathComponent
        return try Kubeconfig(document: document, directory: directory.isEmpty ? "." : directory)
    }

    /// Parses a kubeconfig written in YAML (or JSON), with Kubernetes' scalar rules.
    public static func parseYAML(_ text: String, file: String) throws -> JSONValue {
        try YAMLParser().parseJSON(text, file: file)
    }

    /// Parses a kubeconfig written in JSON only.
    /// - Throws: `KubeError.configuration` naming the file and the byte offset of the error.
    public static func parseJSON(_ text: String, file: String) throws -> JSONValue {
        do {
            return try JSONParser.parse(text.utf8)
        } catch {
            throw KubeError.configuration("\(file) is not valid JSON (\(error)); fix the file or write it as YAML")
        }
    }
}
