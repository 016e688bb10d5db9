import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOSSL
import Synchronization
import YAML

/// The HTTP face of the sandbox: authentication, the fault switchboard, request counters, and
/// routing to discovery, OpenAPI, the admin path and the resource verbs. It never throws: every
/// failure becomes a `Status` response.
struct SandboxResponder: HTTPResponder {
    typealias Context = SandboxRequestContext

    let store: ObjectStore
    let faults: FaultSwitchboard
    let counters: RequestCounters
    let tokens: TokenAuthenticator?
    let address: ServerAddress
    /// Whether the server speaks TLS: then every API request needs a token or a client certificate.
    let secure: Bool
    let logger: Logger

    func respond(to request: Request, context: Context) async throws -> Response {
        let response: Response
        do {
            response = try await handle(request, channel: context.channel)
        } catch {
            response = Responses.error(error)
        }
        logger.debug("\(request.method) \(request.uri) -> \(response.status.code)")
        return response
    }

    private func handle(_ request: Request, channel: any Channel) async throws(SandboxError) -> Response {
        let route = Route(path: request.uri.path)
        switch route {
        case .health: return Responses.bytes(Array("ok".utf8), contentType: "text/plain")
        case .version: return Responses.value(Self.version)
        default: break
        }
        var user = UserInfo(username: "system:anonymous", groups: ["system:unauthenticated"])
        if let tokens {
            if let header = request.headers[.authorization] {
                guard let known = tokens.authenticate(authorization: header) else { throw .unauthorized }
                user = known
            } else if secure {
                guard let certificate = await Self.peerCertificate(channel),
                    let der = try? certificate.toDERBytes(), let named = ClientCertificate.user(der: der)
                else { throw .unauthorized }
                user = named
            } else if let first = tokens.entries.first {
                // client-go never sends a bearer token over plain HTTP, so without TLS a request
                // without credentials acts as the kubeconfig's user (kube-apiserver's old
                // insecure port behaved the same way). A wrong token is still refused.
                user = first.user
            }
        }
        if case .admin(let parts) = route {
            return try await AdminEndpoints(store: store, faults: faults, counters: counters)
                .handle(parts, request: request)
        }
        let latency = faults.latency
        if latency > .zero { try? await Task.sleep(for: latency) }
        if let injected = faults.injectedError() { throw injected }
        let catalog = store.catalog
        let accept = request.headers[.accept]
        switch route {
        case .coreVersions:
            if let version = Discovery.aggregatedVersion(accept: accept) {
                return Responses.value(Discovery.aggregated(catalog, core: true, version: version),
                                       contentType: Discovery.aggregatedContentType.replacingOccurrences(of: "v=v2", with: "v=\(version)"))
            }
            return Responses.value(Discovery.coreVersions(serverAddress: address.value))
        case .groups:
            if let version = Discovery.aggregatedVersion(accept: accept) {
                return Responses.value(Discovery.aggregated(catalog, core: false, version: version),
                                       contentType: Discovery.aggregatedContentType.replacingOccurrences(of: "v=v2", with: "v=\(version)"))
            }
            return Responses.value(Discovery.groupList(catalog))
        case .group(let name):
            guard catalog.groups.contains(name) else { throw .unknownPath }
            return Responses.value(Discovery.group(catalog, name))
        case .resourceList(let group, let version):
            guard catalog.serves(group: group, version: version) else { throw .unknownPath }
            return Responses.value(Discovery.resourceList(catalog, group: group, version: version))
        case .openAPIRoot:
            return Responses.value(OpenAPI.root(catalog))
        case .openAPIDocument(let group, let version):
            guard catalog.serves(group: group, version: version) else { throw .unknownPath }
            return Responses.value(OpenAPI.document(catalog, group: group, version: version))
        case .resource(let group, let version, let plural, let namespace, let name, let subresource):
            guard let type = catalog.type(group: group, version: version, plural: plural) else { throw .unknownPath }
            let target = ResourceTarget(type: type, namespace: namespace, name: name, subresource: subresource)
            return try await ResourceEndpoints(store: store, faults: faults, counters: counters, user: user)
                .handle(target, request: request)
        case .openAPIv2, .unknown, .health, .version, .admin:
            throw .unknownPath
        }
    }

    /// The client certificate of the connection: on the channel itself for HTTP/1.1, on the
    /// parent connection for an HTTP/2 stream.
    private static func peerCertificate(_ channel: any Channel) async -> NIOSSLCertificate? {
        if let certificate = try? await channel.nioSSL_peerCertificate().get() { return certificate }
        guard let parent = channel.parent else { return nil }
        return try? await parent.nioSSL_peerCertificate().get()
    }

    static let version: JSONValue = .object([
        "major": .string("1"), "minor": .string("32"), "gitVersion": .string("v1.32.0-elevator-sandbox"),
        "gitCommit": .string("0000000000000000000000000000000000000000"), "gitTreeState": .string("clean"),
        "buildDate": .string("2026-01-01T00:00:00Z"), "goVersion": .string("go1.23.0"),
        "compiler": .string("gc"), "platform": .string("linux/amd64"),
    ])
}

/// The admin path `/sandbox/...`: fault switchboard and request counters, outside the faults.
struct AdminEndpoints {
    let store: ObjectStore
    let faults: FaultSwitchboard
    let counters: RequestCounters

    func handle(_ parts: [String], request: Request) async throws(SandboxError) -> Response {
        switch (request.method, parts) {
        case (.get, ["faults"]):
            return Responses.value(faults.json)
        case (.put, ["faults"]), (.patch, ["faults"]), (.post, ["faults"]):
            let body = try BodyDecoding.decode(try await BodyDecoding.collect(request), yaml: false)
            try faults.apply(body)
            return Responses.value(faults.json)
        case (.delete, ["faults"]):
            faults.reset()
            return Responses.value(faults.json)
        case (.post, ["faults", "close-watches"]):
            faults.closeAllWatches()
            return Responses.value(.object(["closed": .bool(true)]))
        case (.post, ["faults", "compact"]):
            faults.compactHistory()
            return Responses.value(.object(["compactedAt": .string(String(store.resourceVersion))]))
        case (.get, ["counters"]):
            return Responses.value(counters.json)
        case (.delete, ["counters"]):
            counters.reset()
            return Responses.value(counters.json)
        case (.get, ["stats"]):
            return Responses.value(.object([
                "resourceVersion": .int(store.resourceVersion), "openWatches": .int(Int64(store.openWatchCount)),
            ]))
        default:
            throw .unknownPath
        }
    }
}

/// The address the server listens on, known only once it is bound.
final class ServerAddress: Sendable {
    private let storage = Mutex("")
    var value: String {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}
