import ArgumentParser

/// The `elevator` command: argument parsing and wiring only.
@main
struct Elevator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "elevator",
        abstract: "Just-in-time privilege elevation for service meshes.",
        subcommands: [Demo.self, Sandbox.self, Lint.self, Test.self, Render.self])
}
