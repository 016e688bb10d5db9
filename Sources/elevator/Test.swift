import ArgumentParser
import ElevatorCLI

/// `elevator test PATH`: wiring only; the runner lives in ElevatorCLI's `PolicyTestRunner`.
struct Test: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the policy test cases kept beside the policies (docs/testing-policies.md).",
        discussion: "Exit status: 0 when every case passes, 1 otherwise.")

    @Argument(help: "A test file, or a folder searched recursively for test files.")
    var path: String

    func run() throws {
        let report = PolicyTestRunner().run(path: path)
        report.lines.forEach { print($0) }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}
