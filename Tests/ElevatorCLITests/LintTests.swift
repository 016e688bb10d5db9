import Foundation
import Testing
@testable import ElevatorCLI

@Suite("elevator lint")
struct LintTests {
    let linter = Linter(now: Date(timeIntervalSince1970: 1_768_039_200))

    func lines(_ text: String, file: String = "m.yaml") -> [String] {
        linter.lint(sources: [(file, text)]).map(\.display)
    }

    @Test("valid policy and request give no findings")
    func cleanManifestsAreQuiet() {
        #expect(lines(validPolicy + "---\n" + validRequest) == [])
    }

    @Test(
        "each problem is reported at the position of the offending node",
        arguments: [
            (
                validPolicy.replacingOccurrences(of: "methods: [GET]", with: "methods: [GET, FETCH]"),
                "m.yaml:12:22: spec.rules[0].methods[1]: \"FETCH\" is not an HTTP method: use one of CONNECT, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, TRACE"
            ),
            (
                validPolicy.replacingOccurrences(of: "maxDuration: 1h", with: "maxDuration: 1 hour"),
                "m.yaml:14:16: spec.maxDuration: \"1 hour\" is not a duration: \" hour\" is not a unit (ns, us, ms, s, m or h); write it like 90s, 15m or 1h30m."
            ),
            (
                validPolicy.replacingOccurrences(of: "maxDuration: 1h", with: "maxDuraton: 1h"),
                "m.yaml:14:3: spec.maxDuraton: unknown field; the API server refuses it, so remove it or correct its spelling"
            ),
            (
                validPolicy.replacingOccurrences(of: "methods: [GET]", with: "methods: [GET]\n      verbs: [get]"),
                "m.yaml:13:7: spec.rules[0].verbs: unknown field; the API server refuses it, so remove it or correct its spelling"
            ),
            (
                validPolicy.replacingOccurrences(of: "  subjects:\n    - serviceAccount: {namespace: tools, name: debugger}\n", with: ""),
                "m.yaml:5:3: spec.subjects: required key is missing"
            ),
            (
                validPolicy.replacingOccurrences(of: "kind: ElevationPolicy", with: "kind: ElevationGrant"),
                "m.yaml:2:7: kind: \"ElevationGrant\" is not an Elevator kind: use ElevationPolicy, ElevationRequest or ElevationApproval"
            ),
            (
                validRequest.replacingOccurrences(of: "duration: 10m", with: "duration: ten"),
                "m.yaml:9:13: spec.duration: \"ten\" is not a duration: expected a number before each unit; write it like 90s, 15m or 1h30m."
            ),
            (
                "a: 1\na: 2\n",
                "m.yaml:2:1: duplicate key \"a\" in this mapping; remove one of them"
            ),
            (
                "apiVersion: elevator.dev/v1alpha1\nkind: ElevationPolicy\n  bad: [\n",
                "m.yaml:3:6: mapping values are not allowed in this context"
            ),
        ])
    func problemIsReportedAtItsNode(text: String, expected: String) {
        let found = lines(text)
        #expect(found.first == expected, "all: \(found)")
    }

    @Test("a request outside a policy in the same run is reported at the field it breaks")
    func requestIsCheckedAgainstItsPolicy() {
        let request = validRequest.replacingOccurrences(of: "methods: [GET]", with: "methods: [DELETE]")
        let found = linter.lint(sources: [("r.yaml", request), ("p.yaml", validPolicy)])
        #expect(found.count == 1)
        #expect(found.first?.file == "r.yaml")
        #expect(found.first?.path == "spec.rules")
        #expect(found.first?.line == 8)
        #expect(found.first?.message.hasPrefix("would be denied under ElevationPolicy debug (RuleNotAllowed)") == true)
    }

    @Test("a request or approval without its identity gets a warning, and the rest is still checked")
    func identityLeftToAdmission() {
        let request = validRequest
            .replacingOccurrences(of: "  requester: {user: alice@example.com}\n", with: "")
            .replacingOccurrences(of: "duration: 10m", with: "duration: 10")
        let found = linter.lint(sources: [("m.yaml", request), ("p.yaml", validPolicy)])
        #expect(found.map(\.severity) == [.warning, .error], "\(found.map(\.display))")
        #expect(found.first?.display.hasPrefix("m.yaml:5:3: spec.requester: warning: is not set: the MutatingAdmissionPolicy fills it") == true)
        #expect(found.last?.display.hasPrefix("m.yaml:8:13: spec.duration: expected a string, found an integer") == true)
        let approval = """
            apiVersion: elevator.dev/v1alpha1
            kind: ElevationApproval
            metadata: {name: a, namespace: payments}
            spec: {request: r1, requestUID: 6f1c, decision: Approve}

            """
        #expect(linter.lint(sources: [("a.yaml", approval)]).map(\.severity) == [.warning])
        let wrongType = approval.replacingOccurrences(of: "decision: Approve", with: "decision: [Approve]")
        #expect(linter.lint(sources: [("a.yaml", wrongType)]).last?.display.hasPrefix("a.yaml:4:49: spec.decision: expected a string, found a list") == true)
    }

    @Test("a request may not name a wildcard service account")
    func requestWildcardSubject() {
        let found = lines(validRequest.replacingOccurrences(of: "name: debugger}", with: "name: \"*\"}"))
        #expect(found.contains { $0.hasPrefix("m.yaml:7:") && $0.contains("spec.subject.serviceAccount: a request names one service account") })
    }

    @Test("an approval without requestUID content is reported")
    func approvalChecks() {
        let approval = """
            apiVersion: elevator.dev/v1alpha1
            kind: ElevationApproval
            metadata: {name: a, namespace: payments}
            spec:
              request: r1
              requestUID: ""
              decision: Approve
              approver: {user: bob@example.com}

            """
        #expect(lines(approval) == ["m.yaml:6:15: spec.requestUID: is empty; copy the request's metadata.uid (kubectl elevate approve fills it)"])
        let badDecision = approval.replacingOccurrences(of: "decision: Approve", with: "decision: Maybe")
        #expect(lines(badDecision).first?.hasPrefix("m.yaml:7:13: spec.decision:") == true)
    }

    @Test("documents of other API groups are skipped with a warning, which does not fail lint")
    func foreignKindsAreWarnings() throws {
        let folder = try temporaryFolder([
            "ap.yaml": "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: x}\n",
            "p.yaml": validPolicy,
        ])
        let report = linter.lint(paths: [folder])
        #expect(report.findings.map(\.severity) == [.warning])
        #expect(report.exitCode == 0)
        #expect(report.filesRead == 2)
    }

    @Test("exit status: 0 clean, 1 problems, 2 unreadable")
    func exitCodes() throws {
        let clean = try temporaryFolder(["p.yaml": validPolicy, "sub/r.yml": validRequest, "notes.txt": "not yaml: ["])
        #expect(linter.lint(paths: [clean]).exitCode == 0)
        let broken = try temporaryFolder(["p.yaml": validPolicy.replacingOccurrences(of: "8080", with: "80800")])
        #expect(linter.lint(paths: [broken]).exitCode == 1)
        let missing = linter.lint(paths: [clean + "/nope.yaml", broken])
        #expect(missing.exitCode == 2)
        #expect(missing.findings.count == 1, "the readable path is still linted")
        let empty = linter.lint(paths: [try temporaryFolder(["README.md": "# no manifests"])])
        #expect(empty.exitCode == 2, "an empty folder is a wrong path, not a clean lint")
        #expect(empty.textLines.first?.hasSuffix("holds no .yaml, .yml or .json file; point at the folder that holds the manifests.") == true)
        #expect(missing.textLines.contains("\(clean)/nope.yaml does not exist; check the path (it is relative to the current folder, or to the test file)."))
    }

    @Test("--output json is an array of findings with file, line, column, path, message, severity")
    func jsonOutput() throws {
        let folder = try temporaryFolder(["p.yaml": validPolicy.replacingOccurrences(of: "/admin/*", with: "admin")])
        let report = linter.lint(paths: [folder, "/no/such/file.yaml"])
        let data = Data(report.json().utf8)
        let decoded = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(decoded.count == 2)
        #expect(decoded[0]["file"] as? String == folder + "/p.yaml")
        #expect(decoded[0]["line"] as? Int == 13)
        #expect(decoded[0]["column"] as? Int == 15)
        #expect(decoded[0]["path"] as? String == "spec.rules[0].paths[0]")
        #expect(decoded[0]["severity"] as? String == "error")
        #expect(decoded[1]["file"] as? String == "/no/such/file.yaml")
        #expect(decoded[1]["line"] as? Int == 0)
    }

    @Test(
        "field paths are split into keys and indexes",
        arguments: [
            ("spec.rules[0].paths[1]", [FieldLocator.Step.key("spec"), .key("rules"), .index(0), .key("paths"), .index(1)]),
            ("metadata.labels[app.kubernetes.io/name]", [.key("metadata"), .key("labels"), .key("app.kubernetes.io/name")]),
            ("", []),
        ])
    func fieldPathSteps(path: String, steps: [FieldLocator.Step]) {
        #expect(FieldLocator.steps(path) == steps)
    }
}
