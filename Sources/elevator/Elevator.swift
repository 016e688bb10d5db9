import ArgumentParser

/// Chooses the command tree by the name the binary was started under: as `kubectl-elevate`
/// (kubectl runs plugins by that file name) the plugin commands are the top level.
@main
enum Main {
    static func main() async {
        let invokedAs = (CommandLine.arguments.first ?? "elevator").split(separator: "/").last.map(String.init) ?? "elevator"
        if invokedAs == "kubectl-elevate" {
            await KubectlElevate.main()
        } else {
            await Elevator.main()
        }
    }
}

/// `kubectl elevate`: the plugin commands at top level, named as kubectl users type them.
struct KubectlElevate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kubectl elevate", abstract: Elevate.configuration.abstract,
        subcommands: Elevate.configuration.subcommands)
}

/// The `elevator` command: argument parsing and wiring only.
struct Elevator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "elevator",
        abstract: "Just-in-time privilege elevation for service meshes.",
        subcommands: [Controller.self, Demo.self, Lint.self, Test.self, Render.self, Sandbox.self, Elevate.self])
}
