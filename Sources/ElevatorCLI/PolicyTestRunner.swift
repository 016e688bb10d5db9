import Elevation
import Foundation
import YAML

/// `elevator test`: runs the policy test files under a path and reports like a test runner.
///
/// Each case is decided with Elevation's `decide` and rendered by the Istio backend with the
/// values the controller would supply (trust domain, mesh root namespace, the mesh's existing
/// AuthorizationPolicies from the test file), so a passing case is what the cluster will do.
public struct PolicyTestRunner: Sendable {
    /// A runner.
    public init() {}

    /// The outcome of a run: one line per case (and per broken test file), and the counts.
    public struct Report: Sendable, Equatable {
        /// `PASS name`, `FAIL name (file:line:column): ...` (with indented diff lines) and
        /// `ERROR file: sentence` lines, then the summary.
        public var lines: [String] = []
        /// Cases whose decision met every expectation.
        public var passed = 0
        /// Cases that missed an expectation (or whose decision could not be made).
        public var failed = 0
        /// Test files that could not be read or used.
        public var errors = 0

        /// `N passed, M failed` (and the broken files, if any).
        public var summary: String {
            "\(passed) passed, \(failed) failed" + (errors > 0 ? ", \(errors) test files with errors" : "")
        }

        /// 0 when every case passed and at least one ran; 1 otherwise; 2 when the path was unreadable.
        public var exitCode: Int32 = 0
    }

    /// Runs every test file under `path` (a file, or a folder searched recursively; files that hold
    /// manifests rather than tests are skipped).
    public func run(path: String) -> Report {
        var report = Report()
        let files: [String]
        do { files = try ManifestFiles.collect([path]) } catch {
            report.lines.append("ERROR \(error.description)")
            report.errors += 1
            report.exitCode = error.exitCode
            return report
        }
        for file in files {
            run(file: file, into: &report)
        }
        if report.passed + report.failed == 0, report.errors == 0 {
            report.lines.append("ERROR no test file found under \(path); a test file is YAML with a top-level tests list (docs/testing-policies.md).")
            report.errors += 1
        }
        report.lines.append(report.summary)
        report.exitCode = report.failed == 0 && report.errors == 0 ? 0 : 1
        return report
    }

    private func run(file: String, into report: inout Report) {
        let roots: [YAMLNode]
        do {
            roots = try YAMLParser().parseDocuments(try ManifestFiles.read(file), file: file)
        } catch {
            report.lines.append("ERROR \(error)")
            report.errors += 1
            return
        }
        let base = (file as NSString).deletingLastPathComponent
        for root in roots where PolicyTestFile.isTestDocument(root) {
            let cases: [PolicyTestCase]
            do { cases = try PolicyTestFile.cases(of: root, base: base) } catch {
                report.lines.append("ERROR \(error.description)")
                report.errors += 1
                continue
            }
            for testCase in cases { run(testCase, into: &report) }
        }
    }

    private func run(_ testCase: PolicyTestCase, into report: inout Report) {
        let problems: [String]
        do { problems = try check(testCase) } catch {
            report.lines.append("FAIL \(testCase.name) (\(testCase.mark)): \(error.description)")
            report.failed += 1
            return
        }
        if problems.isEmpty {
            report.lines.append("PASS \(testCase.name)")
            report.passed += 1
        } else {
            report.lines.append("FAIL \(testCase.name) (\(testCase.mark)): \(problems[0])")
            report.lines += problems.dropFirst().map { "    \($0)" }
            report.failed += 1
        }
    }

    /// The ways the decision misses the expectation; empty when it meets it.
    func check(_ testCase: PolicyTestCase) throws(CLIError) -> [String] {
        let (decision, _) = try testCase.scenario.decision(searched: "the test file's policies")
        let expect = testCase.expect
        let status = decision.status
        let (reason, message) = Scenario.explanation(of: status)
        let got = "\(status.phase?.rawValue ?? "Pending") (\(reason): \(message))"
        var problems: [String] = []
        if status.phase != expect.phase {
            return ["expected phase \(expect.phase.rawValue), got \(got)"]
        }
        if let want = expect.reason, want != reason {
            problems.append("expected reason \(want), got \(reason) (\(message))")
        }
        if let want = expect.message, !message.contains(want) {
            problems.append("expected a message containing \"\(want)\", got \"\(message)\"")
        }
        if let want = expect.expiresAt, want != status.expiresAt {
            problems.append("expected expiresAt \(RFC3339.format(want)), got \(status.expiresAt.map(RFC3339.format) ?? "none")")
        }
        if let want = expect.meshObjects {
            let diff = StructuralDiff.differences(expected: .array(want), actual: .array(decision.meshObjects), path: "meshObjects")
            if !diff.isEmpty {
                problems.append("the mesh objects differ from the expected ones:")
                problems += diff.prefix(20)
                if diff.count > 20 { problems.append("... and \(diff.count - 20) more differences") }
            }
        }
        return problems
    }
}
