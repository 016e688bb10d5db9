import ArgumentParser
import Foundation
import Logging

/// `elevator demo`: the whole story on an embedded sandbox, with timestamps; ends by itself.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole elevation story on an embedded sandbox API server (under a minute).")

    @Option(help: "How long the demo grant lasts.")
    var grant = "15s"

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .error
            return handler
        }
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        let say: @Sendable (String) -> Void = { line in
            let stamp = formatter.string(from: Date())
            FileHandle.standardOutput.write(Data("[\(stamp)] \(line)\n".utf8))
        }
        try await DemoStory(grant: grant, say: say).run()
        FileHandle.standardOutput.write(Data("""

            Try it by hand with kubectl:
              elevator sandbox --port 0 --kubeconfig ./.elevator/sandbox.kubeconfig --crds manifests/crds manifests/mesh-crds
              elevator controller --kubeconfig ./.elevator/sandbox.kubeconfig --allow-unverified-identity \\
                  --metrics-address 127.0.0.1:8080 --probe-address 127.0.0.1:8081
              export KUBECONFIG=./.elevator/sandbox.kubeconfig
              kubectl create namespace payments
              kubectl apply -f manifests/samples/policy.yaml    # plus an ALLOW AuthorizationPolicy for app=payments
              kubectl apply -f manifests/samples/request.yaml && kubectl get elevationrequests -n payments -w

            """.utf8))
    }
}
