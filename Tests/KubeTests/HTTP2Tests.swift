import Foundation
import Hummingbird
import HummingbirdHTTP2
import Kube
import Logging
import NIOCore
import Synchronization
import Testing

/// The loop against a real HTTP/2 server (Hummingbird with TLS and ALPN).
@Suite(.serialized, .timeLimit(.minutes(1))) struct HTTP2Tests {
    final class Port: Sendable {
        let value = Mutex(0)
    }

    @Test func concurrentRequestsAreMultiplexedOnOneHTTP2Connection() async throws {
        let certificates = try TestCertificates()
        let certificate = try NIOSSLCertificate(bytes: try certificates.bytes("server.crt"), format: .pem)
        let key = try NIOSSLPrivateKey(file: certificates.path("server.key"), format: .pem)
        let serverTLS = NIOSSL.TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(key))
        let router = Router()
        router.get("/slow") { _, _ -> String in
            try await Task.sleep(for: .milliseconds(300))
            return "ok"
        }
        let port = Port()
        var logger = Logger(label: "http2-test")
        logger.logLevel = .error
        let app = Application(
            router: router, server: try .http2Upgrade(tlsConfiguration: serverTLS),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.value.withLock { $0 = channel.localAddress?.port ?? 0 } },
            logger: logger)
        let server = Task { try await app.runService() }
        defer { server.cancel() }
        for _ in 0..<200 where port.value.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(10)) }
        let serverPort = port.value.withLock { $0 }
        #expect(serverPort != 0)

        var tls = Kube.TLSConfiguration()
        tls.certificateAuthority = .data(try certificates.bytes("ca.crt"))
        let loop = CurlLoop()
        defer { loop.shutdown() }
        let url = "https://kube.test:\(serverPort)/slow"
        var first = Kube.HTTPRequest(url: url, tls: tls)
        first.connectTo = "kube.test:\(serverPort):127.0.0.1:\(serverPort)"
        let request = first
        let warmup = try await loop.perform(request)
        #expect(warmup.httpVersion == "2")
        let start = ContinuousClock.now
        let responses = try await withThrowingTaskGroup(of: Kube.HTTPResponse.self) { group in
            for _ in 0..<100 { group.addTask { try await loop.perform(request) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let elapsed = start.duration(to: .now)
        #expect(responses.count == 100)
        #expect(responses.allSatisfy { $0.status == 200 && $0.httpVersion == "2" })
        // Every request rode the warm connection: none opened a new one.
        #expect(responses.map(\.newConnections).reduce(0, +) == 0)
        #expect(elapsed < .seconds(3))
    }
}
