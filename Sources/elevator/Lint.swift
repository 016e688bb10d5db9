import ArgumentParser
import ElevatorCLI
import Foundation

/// `elevator lint PATH...`: wiring only; the checks live in ElevatorCLI's `Linter`.
struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Validate ElevationPolicy, ElevationRequest and ElevationApproval manifests offline.",
        discussion: "Exit status: 0 clean, 1 problems found, 2 a path could not be read.")

    enum Output: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "Files or folders (searched recursively for .yaml, .yml and .json files).")
    var paths: [String]

    @Option(help: "text (file:line:column: field.path: message) or json (for CI).")
    var output: Output = .text

    func run() throws {
        let report = Linter(now: Date()).lint(paths: paths)
        switch output {
        case .json: print(report.json())
        case .text: report.textLines.forEach { print($0) }
        }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}
