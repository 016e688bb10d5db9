import ArgumentParser
import Foundation
import KubeSandbox
import Logging

/// `elevator sandbox`: serve the in-memory Kubernetes-compatible API server for kubectl and scripts.
struct Sandbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve an in-memory Kubernetes-compatible API server (for kubectl, tests and the demo).")

    @Option(help: "The address to listen on.")
    var address = "127.0.0.1"

    @Option(help: "The port to listen on; 0 picks a free one.")
    var port = 6443

    @Option(help: "Where to write a kubeconfig for the sandbox.")
    var kubeconfig = "./.elevator/sandbox.kubeconfig"

    @Option(help: "A kube-apiserver static token file (token,user,uid,\"group1,group2\"); the kubeconfig uses its first user.")
    var tokenFile: String?

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
        let server = SandboxServer(config: .init(host: address, port: port, tokens: tokens, logger: logger))
        try server.installCRDs(from: crds)
        let kubeconfigPath = kubeconfig
        let errorLogger = logger
        try await server.run { url in
            do {
                let folder = (kubeconfigPath as NSString).deletingLastPathComponent
                if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
                try SandboxServer.kubeconfig(url: url, token: server.token)
                    .write(toFile: kubeconfigPath, atomically: true, encoding: .utf8)
            } catch {
                errorLogger.error("the kubeconfig could not be written to \(kubeconfigPath): \(error)")
            }
            // One line on stdout, flushed at once: scripts wait for it to learn the port.
            FileHandle.standardOutput.write(Data("sandbox: serving \(url) (kubeconfig: \(kubeconfigPath))\n".utf8))
        }
    }
}
