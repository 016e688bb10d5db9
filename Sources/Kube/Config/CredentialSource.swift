import Foundation
import Synchronization
import YAML

/// The credential to attach to one request.
public struct Credential: Hashable, Sendable {
    /// Sent as `Authorization: Bearer …`.
    public var bearerToken: String?
    /// PEM client certificate and key from an exec plugin (they override the kubeconfig's).
    public var clientCertificate: [UInt8]?
    public var clientKey: [UInt8]?

    /// A credential with the given parts.
    public init(bearerToken: String? = nil, clientCertificate: [UInt8]? = nil, clientKey: [UInt8]? = nil) {
        self.bearerToken = bearerToken
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
    }
}

/// Hands out the current credential and refreshes it: token files are re-read at least every
/// `tokenFileRefresh` (60 s, as client-go and kube-rs) and exec plugins re-run when their
/// credential expires; `invalidate()` after a 401 forces both at once.
///
/// Guarantees: concurrent callers share one plugin run; a token file that cannot be read keeps
/// the last good token (kube-rs); credentials never appear in errors or logs.
public actor CredentialSource {
    private let credentials: Credentials
    private let cluster: Kubeconfig.Cluster?
    private let now: @Sendable () -> Date
    private let runner: ExecRunner
    /// How long a token read from a file is trusted before it is read again.
    public let tokenFileRefresh: TimeInterval

    /// The last credential read or run and until when it is good (nil: for good, until a 401),
    /// behind a mutex rather than the actor so that `current()` reads it without a hop.
    private nonisolated let cached = Mutex<(credential: Credential, validUntil: Date?)?>(nil)
    private var inflight: Task<(Credential, Date?), any Error>?

    /// How many times an exec plugin ran or a token file was read (for tests and metrics).
    public private(set) var refreshCount = 0

    /// A source for `configuration`'s credentials.
    public init(
        configuration: ClientConfiguration, now: @escaping @Sendable () -> Date = { Date() },
        runner: ExecRunner = .process, tokenFileRefresh: TimeInterval = 60
    ) {
        self.credentials = configuration.credentials
        self.cluster = configuration.execCluster
        self.now = now
        self.runner = runner
        self.tokenFileRefresh = tokenFileRefresh
    }

    /// The credential to use now, refreshing it first if it is stale. Runs on the caller's
    /// executor and reaches the actor only to refresh: a hop per request cost about 25,000
    /// instructions (BENCHMARKS.md, "Controller", sixteenth round).
    public nonisolated(nonsending) func current() async throws(KubeError) -> Credential {
        switch credentials {
        case .none: return Credential()
        case .token(let token): return Credential(bearerToken: token)
        case .tokenFile, .serviceAccountToken, .exec: break
        }
        if let fresh = freshCredential() { return fresh }
        return try await refreshed()
    }

    /// The cached credential if it is still good.
    private nonisolated func freshCredential() -> Credential? {
        cached.withLock { entry in
            guard let entry else { return nil }
            guard let validUntil = entry.validUntil else { return entry.credential }
            return now() < validUntil ? entry.credential : nil
        }
    }

    /// `current()` on the actor: the cached credential if still good (another caller may have
    /// refreshed it meanwhile), else a shared refresh.
    private func refreshed() async throws(KubeError) -> Credential {
        if let fresh = freshCredential() { return fresh }
        let task: Task<(Credential, Date?), any Error>
        if let inflight {
            task = inflight
        } else {
            task = Task { try await self.refresh() }
            inflight = task
        }
        do {
            let (credential, expiry) = try await task.value
            inflight = nil
            cached.withLock { $0 = (credential, expiry) }
            return credential
        } catch {
            inflight = nil
            switch credentials {
            case .tokenFile, .serviceAccountToken:
                if let last = cached.withLock({ $0?.credential }) { return last }
            case .none, .token, .exec:
                break
            }
            throw error as? KubeError ?? KubeError.configuration("\(error)")
        }
    }

    /// Marks the credential as rejected (a 401): the next `current()` reads or runs afresh.
    public func invalidate() {
        cached.withLock { $0?.validUntil = .distantPast }
    }

    private func refresh() async throws -> (Credential, Date?) {
        refreshCount += 1
        switch credentials {
        case .tokenFile(let path), .serviceAccountToken(let path):
            return (Credential(bearerToken: try Self.readToken(path)), now().addingTimeInterval(tokenFileRefresh))
        case .exec(let config):
            return try await runPlugin(config)
        case .none, .token:
            return (Credential(), nil)
        }
    }

    static func readToken(_ path: String) throws(KubeError) -> String {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw KubeError.configuration("cannot read the token file \(path)")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw KubeError.configuration("the token file \(path) is empty") }
        return token
    }

    private func runPlugin(_ config: ExecConfig) async throws -> (Credential, Date?) {
        guard config.interactiveMode != "Always" else {
            throw KubeError.configuration(
                "the exec plugin \(config.command) needs a terminal (interactiveMode Always); this client has none")
        }
        var environment = ProcessInfo.processInfo.environment
        for (name, value) in config.env { environment[name] = value }
        environment["KUBERNETES_EXEC_INFO"] = execInfo(config)
        let result = try await runner.run(config.command, config.args, environment)
        guard result.status == 0 else {
            let detail = String(decoding: result.stderr.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw KubeError.configuration("the exec plugin \(config.command) failed with exit status \(result.status): \(detail)")
        }
        guard let document = try? JSONParser.parse(result.stdout),
            document["kind"]?.stringValue == "ExecCredential"
        else {
            throw KubeError.configuration("the exec plugin \(config.command) did not print an ExecCredential")
        }
        guard document["apiVersion"]?.stringValue == config.apiVersion else {
            throw KubeError.configuration(
                "the exec plugin \(config.command) answered with apiVersion '\(document["apiVersion"]?.stringValue ?? "")', expected '\(config.apiVersion)'")
        }
        let status = document["status"] ?? .object([:])
        let credential = Credential(
            bearerToken: status["token"]?.stringValue,
            clientCertificate: status["clientCertificateData"]?.stringValue.map { Array($0.utf8) },
            clientKey: status["clientKeyData"]?.stringValue.map { Array($0.utf8) })
        guard credential.bearerToken != nil || (credential.clientCertificate != nil && credential.clientKey != nil) else {
            throw KubeError.configuration("the exec plugin \(config.command) returned neither a token nor a client certificate and key")
        }
        var expiry: Date?
        if let text = status["expirationTimestamp"]?.stringValue {
            guard let time = MicroTime(rfc3339: text) else {
                throw KubeError.configuration("the exec plugin \(config.command) returned an unreadable expirationTimestamp")
            }
            expiry = time.date
        }
        return (credential, expiry)
    }

    /// The `KUBERNETES_EXEC_INFO` document: non-interactive, with the cluster when asked for.
    func execInfo(_ config: ExecConfig) -> String {
        var spec: [String: JSONValue] = ["interactive": .bool(false)]
        if config.provideClusterInfo, let cluster {
            var info: [String: JSONValue] = ["server": .string(cluster.server)]
            if let name = cluster.tlsServerName { info["tls-server-name"] = .string(name) }
            if cluster.insecureSkipTLSVerify { info["insecure-skip-tls-verify"] = .bool(true) }
            if let data = cluster.certificateAuthorityData {
                info["certificate-authority-data"] = .string(Data(data).base64EncodedString())
            }
            spec["cluster"] = .object(info)
        }
        let document: JSONValue = .object([
            "apiVersion": .string(config.apiVersion), "kind": .string("ExecCredential"), "spec": .object(spec),
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(document)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
