import Foundation
import Testing
@testable import ElevatorCLI

@Suite("elevator test")
struct PolicyTestRunnerTests {
    @Test("every case of examples/gitops passes")
    func exampleRepositoryPasses() {
        let report = PolicyTestRunner().run(path: packageRoot + "/examples/gitops")
        #expect(report.failed == 0, "\(report.lines)")
        #expect(report.errors == 0, "\(report.lines)")
        #expect(report.passed == 10)
        #expect(report.exitCode == 0)
        #expect(report.lines.last == "10 passed, 0 failed")
        #expect(report.lines.first == "PASS a ticketed ten-minute request is granted at once (autoApprove)")
    }

    func suite(_ cases: String) -> String {
        """
        policies:
          - apiVersion: elevator.dev/v1alpha1
            kind: ElevationPolicy
            metadata: {name: debug, namespace: payments}
            spec:
              target: {workloadSelector: {matchLabels: {app: payments}}}
              subjects: [{serviceAccount: {namespace: tools, name: debugger}}]
              rules: [{ports: ["8080"], methods: [GET], paths: ["/admin/*"]}]
              maxDuration: 1h
        meshObjects:
          - apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: allow-all-mesh, namespace: istio-system}
            spec: {action: ALLOW, rules: [{}]}
        trustDomain: example.org
        tests:
        \(cases)
        """
    }

    let request = "    request: {apiVersion: elevator.dev/v1alpha1, kind: ElevationRequest, metadata: {name: r1, namespace: payments}, "
        + "spec: {policy: debug, requester: {user: alice@example.com}, subject: {serviceAccount: {namespace: tools, name: debugger}}, "
        + "rules: [{ports: [\"8080\"], methods: [GET], paths: [/admin/queue]}], duration: 10m}}"

    @Test("a wrong phase fails with expected and got, and the run exits 1")
    func wrongPhaseFails() throws {
        let folder = try temporaryFolder([
            "t.test.yaml": suite("""
                  - name: expects a denial
                    now: 2026-01-10T10:00:00Z
                \(request)
                    expect: {phase: Denied}
                  - name: granted for ten minutes
                    now: 2026-01-10T10:00:00Z
                \(request)
                    expect: {phase: Active, reason: NoApprovalRequired, expiresAt: 2026-01-10T10:10:00Z}
                """)
        ])
        let report = PolicyTestRunner().run(path: folder)
        #expect(report.passed == 1)
        #expect(report.failed == 1)
        #expect(report.exitCode == 1)
        #expect(report.lines.last == "1 passed, 1 failed")
        let failure = try #require(report.lines.first)
        #expect(failure.hasPrefix("FAIL expects a denial (\(folder)/t.test.yaml:17:5): expected phase Denied, got Active (NoApprovalRequired: "))
        #expect(report.lines[1] == "PASS granted for ten minutes")
    }

    @Test("a mesh object that differs is shown as a path-by-path diff; the trust domain is the test file's")
    func meshObjectDiff() throws {
        let folder = try temporaryFolder([
            "t.yaml": suite("""
                  - name: wrong methods
                    now: 2026-01-10T10:00:00Z
                \(request)
                    expect:
                      phase: Active
                      meshObjects: [../expected.yaml]
                """),
            "../expected-holder/.keep": "",
        ])
        let expected = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: elevator-r1, namespace: payments}
            spec:
              action: ALLOW
              selector: {matchLabels: {app: payments}}
              rules:
                - from: [{source: {principals: [cluster.local/ns/tools/sa/debugger]}}]
                  to: [{operation: {ports: ["8080"], methods: [GET, POST], paths: [/admin/queue]}}]

            """
        try expected.write(toFile: (folder as NSString).deletingLastPathComponent + "/expected.yaml", atomically: true, encoding: .utf8)
        let report = PolicyTestRunner().run(path: folder + "/t.yaml")
        #expect(report.failed == 1, "\(report.lines)")
        let text = report.lines.joined(separator: "\n")
        #expect(text.contains("the mesh objects differ from the expected ones:"))
        #expect(text.contains("    meshObjects[0].spec.rules[0].from[0].source.principals[0]: expected \"cluster.local/ns/tools/sa/debugger\", got \"example.org/ns/tools/sa/debugger\""))
        #expect(text.contains("    meshObjects[0].spec.rules[0].to[0].operation.methods[1]: expected \"POST\", got nothing"))
        #expect(text.contains("    meshObjects[0].metadata.labels: expected nothing, got {"))
    }

    @Test("a test naming a policy that is not there is one clear error line")
    func missingPolicyIsAnError() throws {
        let folder = try temporaryFolder([
            "t.yaml": suite("""
                  - name: wrong policy
                    now: 2026-01-10T10:00:00Z
                \(request.replacingOccurrences(of: "policy: debug", with: "policy: nope"))
                    expect: {phase: Denied}
                """)
        ])
        let report = PolicyTestRunner().run(path: folder)
        #expect(report.exitCode == 1)
        #expect(report.lines.first == "ERROR ElevationPolicy nope in namespace payments is not in the test file's policies; add it there or fix spec.policy of the request.")
    }

    @Test("a bad now, a missing path and an empty folder are reported, never passed")
    func brokenInputs() throws {
        let badTime = try temporaryFolder([
            "t.yaml": suite("""
                  - name: bad time
                    now: yesterday
                \(request)
                    expect: {phase: Active}
                """)
        ])
        #expect(PolicyTestRunner().run(path: badTime).lines.first == "ERROR \"yesterday\" is not an RFC 3339 time; write it like 2026-01-10T10:00:00Z.")
        let missing = PolicyTestRunner().run(path: badTime + "/absent")
        #expect(missing.exitCode == 2)
        let empty = try temporaryFolder(["p.yaml": validPolicy])
        let none = PolicyTestRunner().run(path: empty)
        #expect(none.exitCode == 1)
        #expect(none.lines.first?.hasPrefix("ERROR no test file found under") == true)
    }
}
