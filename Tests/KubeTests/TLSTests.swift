import Foundation
import Testing
import YAML

@testable import Kube

/// A CA, a server certificate valid only for `kube.test`, and a client certificate for `alice`,
/// made with `openssl` for the test.
final class TestCertificates: Sendable {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
        let d = directory.path
        try directory.write("server.ext", "subjectAltName=DNS:kube.test\nextendedKeyUsage=serverAuth\n")
        try directory.write("client.ext", "extendedKeyUsage=clientAuth\n")
        for command in [
            "req -x509 -newkey rsa:2048 -nodes -keyout \(d)/ca.key -out \(d)/ca.crt -days 1 -subj /CN=test-ca",
            "req -newkey rsa:2048 -nodes -keyout \(d)/server.key -out \(d)/server.csr -subj /CN=kube.test",
            "x509 -req -in \(d)/server.csr -CA \(d)/ca.crt -CAkey \(d)/ca.key -CAcreateserial -out \(d)/server.crt -days 1 -extfile \(d)/server.ext",
            "req -newkey rsa:2048 -nodes -keyout \(d)/client.key -out \(d)/client.csr -subj /CN=alice",
            "x509 -req -in \(d)/client.csr -CA \(d)/ca.crt -CAkey \(d)/ca.key -CAcreateserial -out \(d)/client.crt -days 1 -extfile \(d)/client.ext",
            "req -x509 -newkey rsa:2048 -nodes -keyout \(d)/other.key -out \(d)/other.crt -days 1 -subj /CN=other-ca",
        ] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["openssl"] + command.split(separator: " ").map(String.init)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw KubeTestError.serverDidNotStart }
        }
    }

    func bytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: directory.path + "/" + name))) }
    func path(_ name: String) -> String { directory.path + "/" + name }
}

@Suite(.serialized, .timeLimit(.minutes(1))) struct TLSTests {
    let certificates: TestCertificates
    let server: TestHTTPServer
    let echo = KubeRequest(method: .get, verb: .get, path: "/echo")

    init() throws {
        certificates = try TestCertificates()
        server = try TestHTTPServer(arguments: ["--tls", certificates.directory.path, "--client-ca", certificates.path("ca.crt")])
    }

    func client(_ tls: TLSConfiguration) -> KubeClient {
        KubeClient(configuration: ClientConfiguration(server: "https://127.0.0.1:\(server.port)", tls: tls), retryPolicy: .none)
    }

    @Test func inlineCAAndClientCertificateAuthenticate() async throws {
        var tls = TLSConfiguration()
        tls.certificateAuthority = .data(try certificates.bytes("ca.crt"))
        tls.clientCertificate = .data(try certificates.bytes("client.crt"))
        tls.clientKey = .data(try certificates.bytes("client.key"))
        tls.serverName = "kube.test"
        let response = try await client(tls).send(echo)
        let body = try JSONDecoder().decode(JSONValue.self, from: response.body)
        #expect(body["clientCN"] == .string("alice"))
    }

    @Test func certificateFilesFromAKubeconfigAuthenticate() async throws {
        let kubeconfig = """
            {"current-context":"c","clusters":[{"name":"c","cluster":{"server":"https://127.0.0.1:\(server.port)","certificate-authority":"ca.crt","tls-server-name":"kube.test"}}],
             "users":[{"name":"u","user":{"client-certificate":"client.crt","client-key":"client.key"}}],
             "contexts":[{"name":"c","context":{"cluster":"c","user":"u"}}]}
            """
        let file = try certificates.directory.write("kubeconfig", kubeconfig)
        let configuration = try ClientConfiguration(kubeconfig: try KubeconfigFile.read(file))
        let response = try await KubeClient(configuration: configuration).send(echo)
        let body = try JSONDecoder().decode(JSONValue.self, from: response.body)
        #expect(body["clientCN"] == .string("alice"))
    }

    @Test func serverNameMismatchIsRejected() async throws {
        var tls = TLSConfiguration()
        tls.certificateAuthority = .data(try certificates.bytes("ca.crt"))
        tls.clientCertificate = .data(try certificates.bytes("client.crt"))
        tls.clientKey = .data(try certificates.bytes("client.key"))
        // The certificate names kube.test, not 127.0.0.1.
        await #expect(throws: KubeError.self) { try await client(tls).send(echo) }
    }

    @Test func unknownCAIsRejectedUnlessVerificationIsSkipped() async throws {
        var tls = TLSConfiguration()
        tls.certificateAuthority = .data(try certificates.bytes("other.crt"))
        tls.clientCertificate = .data(try certificates.bytes("client.crt"))
        tls.clientKey = .data(try certificates.bytes("client.key"))
        tls.serverName = "kube.test"
        let error = await #expect(throws: KubeError.self) { try await client(tls).send(echo) }
        guard case .transport = error else {
            Issue.record("expected a transport error, got \(String(describing: error))")
            return
        }
        tls.insecureSkipVerify = true
        #expect(try await client(tls).send(echo).status == 200)
    }

    @Test func missingClientCertificateFailsTheHandshake() async throws {
        var tls = TLSConfiguration()
        tls.certificateAuthority = .file(certificates.path("ca.crt"))
        tls.serverName = "kube.test"
        await #expect(throws: KubeError.self) { try await client(tls).send(echo) }
    }
}
