import Foundation
import Logging

/// A Kubernetes API client: request values (`Endpoint`) sent over the shared libcurl loop with
/// credentials, retries and typed errors.
///
/// Guarantees:
/// - Every request and watch of a client goes through one `CurlLoop` (one thread, HTTP/2
///   multiplexed where offered); no call blocks a cooperative-pool thread.
/// - Idempotent requests are retried on 429, 5xx and transport failures per `RetryPolicy`,
///   honouring `Retry-After`; creates and relative patches never are.
/// - A 401 makes the credential source re-read its token file or re-run its exec plugin, and the
///   request is sent once more with the fresh credential.
/// - `Warning` response headers are logged; tokens never are.
public final class KubeClient: Sendable {
    public let configuration: ClientConfiguration
    public let retryPolicy: RetryPolicy
    /// API calls by verb since the client was made.
    public let apiCalls = APICallCounter()
    let loop: CurlLoop
    let credentials: CredentialSource
    let logger: Logger
    private let ownsLoop: Bool

    /// A client for `configuration`. Without a `loop`, the client starts its own and stops it on
    /// `shutdown()`; pass one to share a loop between clients.
    public init(
        configuration: ClientConfiguration, retryPolicy: RetryPolicy = RetryPolicy(),
        credentials: CredentialSource? = nil, loop: CurlLoop? = nil,
        logger: Logger = Logger(label: "kube.client")
    ) {
        self.configuration = configuration
        self.retryPolicy = retryPolicy
        self.credentials = credentials ?? CredentialSource(configuration: configuration)
        self.loop = loop ?? CurlLoop(logger: logger)
        self.ownsLoop = loop == nil
        self.logger = logger
    }

    /// Stops the client's own loop; in-flight calls fail with a transport error.
    public func shutdown() {
        if ownsLoop { loop.shutdown() }
    }

    /// Sends `request`, retrying per the policy, and returns the 2xx response or throws `KubeError`.
    public func send(_ request: KubeRequest) async throws -> HTTPResponse {
        var random = SystemRandomNumberGenerator()
        var attempt = 0
        var reauthenticated = false
        while true {
            do {
                return try await sendOnce(request)
            } catch KubeError.unauthorized(let message) {
                guard !reauthenticated, refreshesCredentials else { throw KubeError.unauthorized(message) }
                reauthenticated = true
                await credentials.invalidate()
                logger.debug("401 from the API server; refreshing credentials", metadata: ["path": "\(request.path)"])
            } catch let error as KubeError {
                attempt += 1
                guard let delay = retryPolicy.delay(beforeRetry: attempt, of: request, after: error, using: &random) else {
                    throw error
                }
                logger.debug(
                    "retrying \(request.method.rawValue) \(request.path) in \(delay)",
                    metadata: ["attempt": "\(attempt)", "reason": "\(error)"])
                try await Task.sleep(for: delay)
            }
        }
    }

    private var refreshesCredentials: Bool {
        switch configuration.credentials {
        case .tokenFile, .serviceAccountToken, .exec: true
        case .none, .token: false
        }
    }

    private func sendOnce(_ request: KubeRequest) async throws -> HTTPResponse {
        let http = try await httpRequest(for: request, streaming: false)
        apiCalls.record(request.verb)
        let response = try await loop.perform(http)
        apiCalls.recordResponse(request.verb, code: response.status)
        logWarnings(response, request)
        guard (200..<300).contains(response.status) else {
            throw KubeError(code: response.status, body: response.body, retryAfterHeader: response.headers["retry-after"])
        }
        return response
    }

    func logWarnings(_ response: HTTPResponse, _ request: KubeRequest) {
        for warning in response.warnings {
            logger.warning("API server warning: \(warning)", metadata: ["path": "\(request.path)"])
        }
    }

    /// The HTTP request for `request`: URL, credential, TLS and timeouts.
    func httpRequest(for request: KubeRequest, streaming: Bool, idleTimeout: Duration? = nil) async throws(KubeError)
        -> HTTPRequest
    {
        let credential = try await credentials.current()
        var headers = request.headers
        headers["User-Agent"] = "elevator-kube/1"
        if let token = credential.bearerToken { headers["Authorization"] = "Bearer \(token)" }
        var tls = configuration.tls
        if let certificate = credential.clientCertificate, let key = credential.clientKey {
            tls.clientCertificate = .data(certificate)
            tls.clientKey = .data(key)
        }
        var url = configuration.server + request.pathAndQuery
        var connectTo: String?
        if let serverName = tls.serverName, let (scheme, host, port) = Self.splitServer(configuration.server) {
            // Verify the certificate for `serverName` while connecting to the configured host.
            url = "\(scheme)://\(serverName):\(port)" + request.pathAndQuery
            connectTo = "\(serverName):\(port):\(host):\(port)"
        }
        var http = HTTPRequest(
            method: request.method.rawValue, url: url, headers: headers, body: request.body, tls: tls,
            timeout: streaming ? nil : .seconds(60), idleTimeout: idleTimeout)
        http.connectTo = connectTo
        http.proxy = configuration.proxyURL
        return http
    }

    /// `(scheme, host, port)` of a server URL, with the scheme's default port.
    static func splitServer(_ server: String) -> (String, String, Int)? {
        guard let components = URLComponents(string: server), let scheme = components.scheme, var host = components.host
        else { return nil }
        if host.contains(":"), !host.hasPrefix("[") { host = "[\(host)]" }
        return (scheme, host, components.port ?? (scheme == "https" ? 443 : 80))
    }
}
