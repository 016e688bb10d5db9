import ArgumentParser
import Elevation
import ElevatorCLI
import Foundation

/// `elevator render`: wiring only; the rendering lives in ElevatorCLI's `Renderer`.
struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print, as YAML, the mesh objects a request would get, or why it would be denied.",
        discussion: "Approval stages are assumed met. Exit status: 0 rendered, 1 denied or bad input, 2 unreadable input.")

    @Option(help: "Files or folders holding the ElevationPolicies.")
    var policies: [String]

    @Option(name: .customShort("f"), help: "The file holding one ElevationRequest.")
    var file: String

    @Option(help: "The grant time, RFC 3339 (default: now).")
    var now: String?

    @Option(help: "The mesh's trust domain.")
    var trustDomain = "cluster.local"

    @Option(help: "The Istio root namespace.")
    var meshRootNamespace = "istio-system"

    @Option(help: "Files or folders with the mesh's existing AuthorizationPolicies; when given, the default-deny guard is checked.")
    var meshObjects: [String] = []

    func run() throws {
        do {
            var time = Date()
            if let now {
                guard let parsed = RFC3339.parse(now) else { throw CLIError.invalidTime(text: now) }
                time = parsed
            }
            let renderer = Renderer(
                policyPaths: policies, requestPath: file, now: time,
                options: MeshOptions(trustDomain: trustDomain, meshRootNamespace: meshRootNamespace),
                meshObjectPaths: meshObjects.isEmpty ? nil : meshObjects)
            switch try renderer.render() {
            case .granted(let yaml): print(yaml, terminator: yaml.hasSuffix("\n") ? "" : "\n")
            case .denied(_, let sentence):
                print(sentence)
                throw ExitCode(1)
            }
        } catch let error as CLIError {
            printError("elevator render: \(error.description)")
            throw ExitCode(error.exitCode)
        }
    }
}

/// Writes one line to standard error (for messages that are not the command's output).
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
