import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import Synchronization
import YAML

/// The in-memory Kubernetes-compatible API server of SANDBOX.md.
///
/// Start one in-process on port 0 with `start()`, point a client at `url` with `token`, switch
/// faults on `faults`, read API call counts from `counters`, and `stop()` it. The same server
/// backs `elevator sandbox`.
///
/// Guarantees: `start()` returns only once the port accepts connections. Caveats: without TLS a
/// request without credentials acts as the first token's user (client-go sends no bearer token
/// over plain HTTP); authorization allows every authenticated caller.
public final class SandboxServer: Sendable {
    /// The files for TLS.
    public struct TLSFiles: Sendable {
        /// PEM certificate (chain) the server presents.
        public var certificatePath: String
        /// PEM private key of that certificate.
        public var keyPath: String
        /// PEM CA bundle; when set, client certificates it signed authenticate (user = CN, groups = O).
        public var clientCAPath: String?

        /// Creates the file set.
        public init(certificatePath: String, keyPath: String, clientCAPath: String? = nil) {
            self.certificatePath = certificatePath
            self.keyPath = keyPath
            self.clientCAPath = clientCAPath
        }
    }

    /// Server settings.
    public struct Config: Sendable {
        /// The address to bind; keep it on loopback.
        public var host: String
        /// The port; 0 picks a free one.
        public var port: Int
        /// Accepted bearer tokens; nil accepts anonymous requests.
        public var tokens: TokenAuthenticator?
        /// Storage settings.
        public var store: ObjectStore.Config
        /// Logger for request logs (debug level) and lifecycle.
        public var logger: Logger
        /// TLS files; nil serves plain HTTP.
        public var tls: TLSFiles?

        /// Creates a configuration: loopback, port 0, one generated admin token.
        public init(host: String = "127.0.0.1", port: Int = 0, tokens: TokenAuthenticator? = .generatedAdmin(),
                    store: ObjectStore.Config = ObjectStore.Config(),
                    logger: Logger = Logger(label: "elevator.sandbox"), tls: TLSFiles? = nil) {
            self.host = host
            self.port = port
            self.tokens = tokens
            self.store = store
            self.logger = logger
            self.tls = tls
        }
    }

    /// The objects.
    public let store: ObjectStore
    /// The fault switchboard.
    public let faults: FaultSwitchboard
    /// API requests by verb and resource.
    public let counters: RequestCounters
    /// The settings the server was made with.
    public let config: Config
    private let address = ServerAddress()
    private let group = LockedValue<ServiceGroup?>(nil)

    /// Creates a server (not yet listening).
    public init(config: Config = Config()) {
        self.config = config
        store = ObjectStore(config: config.store)
        faults = FaultSwitchboard(store: store)
        counters = RequestCounters()
    }

    /// The first configured token (the one a generated kubeconfig uses), if auth is on.
    public var token: String? { config.tokens?.entries.first?.token }

    /// `http://host:port` once listening.
    public var url: String { "\(config.tls == nil ? "http" : "https")://\(address.value)" }

    /// Starts listening and returns once connections are accepted.
    public func start() async throws {
        let (ready, readyContinuation) = AsyncStream<Void>.makeStream()
        let application = try makeApplication { readyContinuation.yield(); readyContinuation.finish() }
        let serviceGroup = ServiceGroup(
            configuration: .init(services: [.init(service: application), .init(service: WatchCloser(store: store))],
                                 logger: config.logger))
        group.set(serviceGroup)
        let logger = config.logger
        Task {
            do {
                try await serviceGroup.run()
            } catch {
                logger.error("sandbox stopped: \(error)")
            }
            readyContinuation.finish()
        }
        for await _ in ready { return }
        throw SandboxConfigError.listen(
            "the sandbox could not listen on \(config.host):\(config.port); pick a free port or 0 for any")
    }

    /// Runs in the foreground until SIGINT or SIGTERM; `onReady` runs once connections are accepted.
    public func run(onReady: @escaping @Sendable (String) -> Void) async throws {
        let scheme = config.tls == nil ? "http" : "https"
        let application = try makeApplication { [address] in onReady("\(scheme)://\(address.value)") }
        let serviceGroup = ServiceGroup(
            configuration: .init(services: [.init(service: application), .init(service: WatchCloser(store: store))],
                                 gracefulShutdownSignals: [.sigterm, .sigint], logger: config.logger))
        group.set(serviceGroup)
        try await serviceGroup.run()
    }

    /// Closes every watch and stops listening.
    public func stop() async {
        store.closeAllWatches()
        await group.get()?.triggerGracefulShutdown()
    }

    private func makeApplication(onReady: @escaping @Sendable () -> Void) throws -> some Service {
        let responder = SandboxResponder(store: store, faults: faults, counters: counters, tokens: config.tokens,
                                         address: address, secure: config.tls != nil, logger: config.logger)
        let faults = self.faults
        let address = self.address
        let host = config.host
        var server = HTTPServerBuilder.http1(additionalChannelHandlers: [ConnectionRefusal(faults: faults)])
        if let tls = config.tls {
            // HTTP/2 (negotiated with ALPN) and HTTP/1.1 over TLS, as kube-apiserver serves them.
            server = try .http2Upgrade(tlsConfiguration: try Self.tlsConfiguration(tls),
                                       additionalChannelHandlers: [ConnectionRefusal(faults: faults)])
        }
        return Application(
            responder: responder,
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(host, port: config.port), serverName: nil),
            onServerRunning: { channel in
                address.value = "\(host):\(channel.localAddress?.port ?? 0)"
                onReady()
            },
            logger: Self.quieter(config.logger))
    }

    private static func tlsConfiguration(_ files: TLSFiles) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(files.certificatePath)
            key = try NIOSSLPrivateKey(file: files.keyPath, format: .pem)
        } catch {
            throw SandboxConfigError.tls("the TLS certificate \(files.certificatePath) or key \(files.keyPath) cannot be read as PEM: \(error)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        if let ca = files.clientCAPath {
            do {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
            } catch {
                throw SandboxConfigError.tls("the client CA file \(ca) cannot be read as PEM: \(error)")
            }
            // Tokens still work: a client certificate is verified when offered, not required.
            configuration.certificateVerification = .optionalVerification
        }
        return configuration
    }

    /// Hummingbird's own lifecycle lines are info-level; keep them out of the one-line output.
    private static func quieter(_ logger: Logger) -> Logger {
        var copy = logger
        if copy.logLevel > .debug { copy.logLevel = max(copy.logLevel, .warning) }
        return copy
    }

    /// Installs CRD manifests from files or folders (JSON or YAML, multi-document); returns how many.
    @discardableResult
    public func installCRDs(from paths: [String]) throws -> Int {
        guard let type = store.type(group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions")
        else { return 0 }
        var count = 0
        for path in paths {
            for file in try Self.manifestFiles(at: path) {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw SandboxConfigError.crds("\(file) cannot be read; check the path given to --crds")
                }
                let documents: [JSONValue]
                do {
                    documents = try YAMLBody.parseDocuments(Array(data), file: file)
                } catch {
                    throw SandboxConfigError.crds("\(file) is not a valid manifest: \(error)")
                }
                for document in documents where document["kind"]?.stringValue == "CustomResourceDefinition" {
                    do {
                        _ = try store.create(type, namespace: "", body: document,
                                             options: WriteOptions(fieldManager: "elevator-sandbox"))
                    } catch {
                        throw SandboxConfigError.crds("\(file): \(error.message)")
                    }
                    count += 1
                }
            }
        }
        return count
    }

    private static func manifestFiles(at path: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SandboxConfigError.crds("\(path) does not exist; give --crds a CRD file or a folder of them")
        }
        guard isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") || $0.hasSuffix(".json") }.sorted()
            .map { (path as NSString).appendingPathComponent($0) }
    }

    /// A kubeconfig for `url` that authenticates with `token`, in namespace `default`.
    public static func kubeconfig(url: String, token: String?, certificateAuthorityPEM: String? = nil) -> String {
        var lines = ["apiVersion: v1", "kind: Config", "clusters:", "- name: sandbox", "  cluster:", "    server: \(url)"]
        if let pem = certificateAuthorityPEM {
            lines.append("    certificate-authority-data: \(Data(pem.utf8).base64EncodedString())")
        }
        lines += ["users:", "- name: sandbox", "  user:"]
        lines.append(token.map { "    token: \($0)" } ?? "    {}")
        lines += [
            "contexts:", "- name: sandbox", "  context:", "    cluster: sandbox", "    user: sandbox",
            "    namespace: default", "current-context: sandbox", "",
        ]
        return lines.joined(separator: "\n")
    }
}

/// A value behind a lock, for the few mutable references the server keeps.
final class LockedValue<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>
    init(_ value: Value) { storage = Mutex(value) }
    func get() -> Value { storage.withLock { $0 } }
    func set(_ value: Value) { storage.withLock { $0 = value } }
}

/// Ends every open watch when shutdown begins: watches never finish on their own, and the HTTP
/// server's graceful shutdown waits for open responses. Listed after the server, so the service
/// group signals it first.
struct WatchCloser: Service {
    let store: ObjectStore

    func run() async throws {
        try? await gracefulShutdown()
        store.closeAllWatches()
    }
}
