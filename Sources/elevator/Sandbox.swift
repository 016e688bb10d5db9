import ArgumentParser
import Foundation
import KubeSandbox
import Logging

/// `elevator sandbox`: serve the in-memory Kubernetes-compatible API server for kubectl and scripts.
struct Sandbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Serve an in-memory Kubernetes-compatible API server (for kubectl, tests and the demo).")

    @Option(help: "The address to listen on.")
    var address = "127.0.0.1"

    @Option(help: "The port to listen on; 0 picks a free one.")
    var port = 6443

    @Option(help: "Where to write a kubeconfig for the sandbox.")
    var kubeconfig = "./.elevator/sandbox.kubeconfig"

    @Option(help: "A kube-apiserver static token file (token,user,uid,\"group1,group2\"); the kubeconfig uses its first user.")
    var tokenFile: String?

    @Option(help: "PEM certificate to serve HTTPS with (needs --tls-key-file).")
    var tlsCertFile: String?

    @Option(help: "PEM private key of --tls-cert-file.")
    var tlsKeyFile: String?

    @Option(help: "PEM CA bundle whose client certificates authenticate (user = CN, groups = O).")
    var clientCaFile: String?

    @Option(parsing: .upToNextOption, help: "CRD manifests (files or folders) to install at start.")
    var crds: [String] = []

    @Option(help: "Log level (debug logs every request).")
    var logLevel = "info"

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "elevator.sandbox")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        var tokens = TokenAuthenticator.generatedAdmin()
        if let tokenFile {
            guard let data = FileManager.default.contents(atPath: tokenFile) else {
                throw ValidationError("\(tokenFile) cannot be read; give --token-file a readable token CSV file")
            }
            tokens = try TokenAuthenticator(csv: String(decoding: data, as: UTF8.self), source: tokenFile)
        }
        var tls: SandboxServer.TLSFiles?
        var authorityPEM: String?
        switch (tlsCertFile, tlsKeyFile) {
        case (let cert?, let key?):
            tls = .init(certificatePath: cert, keyPath: key, clientCAPath: clientCaFile)
            authorityPEM = FileManager.default.contents(atPath: cert).map { String(decoding: $0, as: UTF8.self) }
        case (nil, nil):
            if clientCaFile != nil { throw ValidationError("--client-ca-file needs --tls-cert-file and --tls-key-file") }
        default:
            throw ValidationError("give both --tls-cert-file and --tls-key-file, or neither")
        }
        let server = SandboxServer(config: .init(host: address, port: port, tokens: tokens, logger: logger, tls: tls))
        try server.installCRDs(from: crds)
        let kubeconfigPath = kubeconfig
        let authority = authorityPEM
        let errorLogger = logger
        try await server.run { url in
            do {
                let folder = (kubeconfigPath as NSString).deletingLastPathComponent
                if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
                try SandboxServer.kubeconfig(url: url, token: server.token, certificateAuthorityPEM: authority)
                    .write(toFile: kubeconfigPath, atomically: true, encoding: .utf8)
            } catch {
                errorLogger.error("the kubeconfig could not be written to \(kubeconfigPath): \(error)")
            }
            // One line on stdout, flushed at once: scripts wait for it to learn the port.
            FileHandle.standardOutput.write(Data("sandbox: serving \(url) (kubeconfig: \(kubeconfigPath))\n".utf8))
        }
    }
}
