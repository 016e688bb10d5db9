import Elevation
import ElevatorPlugin
import Foundation
import Kube
import Testing
import YAML

/// The plugin's commands against an in-process sandbox with two people (alice asks, bob approves).
@Suite("kubectl elevate against the sandbox")
struct PluginCommandTests {
    static let ask = ElevateSession.Ask(
        policy: "payments-debug", subject: .serviceAccount("tools", "debugger"), duration: "10m",
        reason: "INC-1234 stuck payouts", rules: [AccessRule(ports: ["8080"], methods: ["GET"], paths: ["/admin/queue"])])

    @Test("request fills spec.requester from SelfSubjectReview and names the request after the policy")
    func requestFillsRequester() async throws {
        try await PluginSandbox.with { sandbox in
            let created = try await sandbox.alice.create(Self.ask)
            #expect(created.metadata.name.hasPrefix("payments-debug-"))
            #expect(created.metadata.name.count > "payments-debug-".count)
            let stored = try await sandbox.raw(PluginSandbox.requests, created.metadata.name)
            #expect(stored["spec"]?["requester"]?["user"]?.stringValue == "alice@example.com")
            #expect(stored["spec"]?["requester"]?["groups"] == .array([.string("payments-oncall")]))
            #expect(stored["spec"]?["duration"]?.stringValue == "10m")
            #expect(stored["spec"]?["rules"]?.arrayValue?.first?["paths"] == .array([.string("/admin/queue")]))
            #expect(stored["spec"]?["subject"]?["serviceAccount"]?["name"]?.stringValue == "debugger")

            var named = Self.ask
            named.name = "inc-1234"
            #expect(try await sandbox.bob.create(named).spec.requester == Identity(user: "bob@example.com", groups: ["payments-oncall", "security"]))
        }
    }

    @Test("approve and deny fill approver and requestUID from the API server")
    func approveFillsApprover() async throws {
        try await PluginSandbox.with { sandbox in
            let request = try await sandbox.alice.create(Self.ask)
            let approval = try await sandbox.bob.decide(request.metadata.name, .approve, comment: "ok, on call")
            let stored = try await sandbox.raw(PluginSandbox.approvals, approval.metadata.name)
            #expect(stored["spec"]?["requestUID"]?.stringValue == request.metadata.uid)
            #expect(request.metadata.uid?.isEmpty == false)
            #expect(stored["spec"]?["approver"]?["user"]?.stringValue == "bob@example.com")
            #expect(stored["spec"]?["decision"]?.stringValue == "Approve")
            #expect(stored["spec"]?["comment"]?.stringValue == "ok, on call")
            #expect(stored["spec"]?["request"]?.stringValue == request.metadata.name)

            let denial = try await sandbox.bob.decide(request.metadata.name, .deny, comment: nil)
            #expect(denial.spec.decision == .deny)
            #expect(denial.metadata.name != approval.metadata.name)
            let listed = try await sandbox.alice.approvals(for: request.metadata.name)
            #expect(Set(listed.map(\.metadata.name)) == [approval.metadata.name, denial.metadata.name])
        }
    }

    @Test("revoke sets spec.revoked and leaves the rest of the spec alone")
    func revoke() async throws {
        try await PluginSandbox.with { sandbox in
            let request = try await sandbox.alice.create(Self.ask)
            let revoked = try await sandbox.alice.revoke(request.metadata.name)
            #expect(revoked.spec.revoked == true)
            let stored = try await sandbox.raw(PluginSandbox.requests, request.metadata.name)
            #expect(stored["spec"]?["revoked"] == .bool(true))
            #expect(stored["spec"]?["reason"]?.stringValue == "INC-1234 stuck payouts")
        }
    }

    @Test("extend asks anew with extends, the same policy, subject and rules, and the new duration")
    func extend() async throws {
        try await PluginSandbox.with { sandbox in
            let request = try await sandbox.alice.create(Self.ask)
            let extended = try await sandbox.alice.extend(request.metadata.name, duration: "30m", reason: nil)
            #expect(extended.metadata.name != request.metadata.name)
            #expect(extended.spec.extends == request.metadata.name)
            #expect(extended.spec.duration == "30m")
            #expect(extended.spec.policy == request.spec.policy)
            #expect(extended.spec.subject == request.spec.subject)
            #expect(extended.spec.rules == request.spec.rules)
            #expect(extended.spec.reason == request.spec.reason)
        }
    }

    @Test("list prints a table; --pending-for-me shows bob alice's Pending request and alice nothing")
    func listAndPendingForMe() async throws {
        try await PluginSandbox.with { sandbox in
            var named = Self.ask
            named.name = "inc-1"
            _ = try await sandbox.alice.create(named)
            named.name = "inc-2"
            _ = try await sandbox.alice.create(named)
            try await sandbox.setStatus("inc-2", #"{"phase":"Active","grantedAt":"2030-01-01T00:00:00Z","expiresAt":"2030-01-01T00:10:00Z"}"#)

            let all = try await sandbox.alice.list(allNamespaces: false)
            let table = PluginOutput(colour: false, now: Date()).table(all, allNamespaces: false)
            let lines = table.split(separator: "\n").map(String.init)
            #expect(lines.count == 3)
            #expect(lines[0].split(separator: " ", omittingEmptySubsequences: true) == ["NAME", "POLICY", "SUBJECT", "PHASE", "EXPIRES", "AGE"])
            #expect(lines[1].split(separator: " ", omittingEmptySubsequences: true).prefix(4) == ["inc-1", "payments-debug", "tools/debugger", "Pending"])
            #expect(lines[2].contains("Active"))
            #expect(lines[2].contains("in "))
            #expect(!table.contains("\u{1B}["))
            #expect(PluginOutput(colour: true).table(all, allNamespaces: true).contains("\u{1B}[32mActive"))

            let bobs = try await sandbox.bob.pendingFor(try await sandbox.bob.whoAmI(), in: all)
            #expect(bobs.map(\.metadata.name) == ["inc-1"])
            let alices = try await sandbox.alice.pendingFor(try await sandbox.alice.whoAmI(), in: all)
            #expect(alices.isEmpty)
        }
    }

    @Test("status shows phase, window, approvals, conditions and grant objects")
    func status() async throws {
        try await PluginSandbox.with { sandbox in
            var named = Self.ask
            named.name = "inc-3"
            _ = try await sandbox.alice.create(named)
            _ = try await sandbox.bob.decide("inc-3", .approve, comment: nil)
            try await sandbox.setStatus("inc-3", """
                {"phase":"Active","grantedAt":"2030-01-01T00:00:00Z","expiresAt":"2030-01-01T00:10:00Z",
                 "approvals":[{"approver":"bob@example.com","stage":"oncall","decision":"Approve","at":"2030-01-01T00:00:00Z"}],
                 "grant":[{"apiVersion":"security.istio.io/v1","kind":"AuthorizationPolicy","name":"elevator-inc-3"}],
                 "conditions":[{"type":"Granted","status":"True","reason":"Granted","message":"GET /admin/queue for tools/debugger","lastTransitionTime":"2030-01-01T00:00:00Z"}]}
                """)
            let request = try await sandbox.alice.request(named: "inc-3")
            let text = PluginOutput(colour: false, now: Date(timeIntervalSince1970: 1_893_456_300)).status(
                request, approvals: try await sandbox.alice.approvals(for: "inc-3"))
            #expect(text.contains("Phase:      Active"))
            #expect(text.contains("Expires:    2030-01-01T00:10:00Z (in 5m)"))
            #expect(text.contains("Approve by bob@example.com for stage oncall"))
            #expect(text.contains("Granted=True Granted: GET /admin/queue for tools/debugger"))
            #expect(text.contains("AuthorizationPolicy elevator-inc-3 (security.istio.io/v1)"))
            #expect(text.contains("Requester:  alice@example.com (payments-oncall)"))
        }
    }

    @Test("follow returns on Active and fails with the reason on Denied")
    func follow() async throws {
        try await PluginSandbox.with { sandbox in
            var named = Self.ask
            named.name = "inc-4"
            _ = try await sandbox.alice.create(named)
            let writer = Task {
                try await Task.sleep(for: .milliseconds(200))
                try await sandbox.setStatus("inc-4", #"{"phase":"Active","grantedAt":"2030-01-01T00:00:00Z"}"#)
            }
            var seen: [RequestPhase] = []
            let active = try await sandbox.alice.follow("inc-4") { seen.append($0.phase) }
            try await writer.value
            #expect(active.phase == .active)
            #expect(seen == [.pending, .active])

            named.name = "inc-5"
            _ = try await sandbox.alice.create(named)
            try await sandbox.setStatus("inc-5", #"{"phase":"Denied","conditions":[{"type":"Valid","status":"False","reason":"OverMaxDuration","message":"duration 2h is over the policy's maxDuration 1h","lastTransitionTime":"2030-01-01T00:00:00Z"}]}"#)
            await #expect(throws: PluginError.ended(name: "inc-5", phase: "Denied", reason: "duration 2h is over the policy's maxDuration 1h")) {
                _ = try await sandbox.alice.follow("inc-5") { _ in }
            }
        }
    }

    @Test("missing requests and policies are one sentence with the fix")
    func missingObjects() async throws {
        try await PluginSandbox.with { sandbox in
            await #expect(throws: PluginError.noSuchRequest(name: "nope", namespace: "payments")) {
                _ = try await sandbox.alice.request(named: "nope")
            }
            await #expect(throws: PluginError.noSuchRequest(name: "nope", namespace: "payments")) {
                _ = try await sandbox.bob.decide("nope", .approve, comment: nil)
            }
            await #expect(throws: PluginError.noSuchRequest(name: "nope", namespace: "payments")) {
                _ = try await sandbox.alice.revoke("nope")
            }
            var ask = Self.ask
            ask.policy = "no-such-policy"
            await #expect(throws: PluginError.noSuchPolicy(name: "no-such-policy", namespace: "payments")) {
                _ = try await sandbox.alice.create(ask)
            }
            #expect(PluginError.noSuchRequest(name: "nope", namespace: "payments").description
                == "There is no ElevationRequest nope in namespace payments: check the name with `kubectl elevate list -n payments` or pass the right -n.")
        }
    }

    @Test("a wrong token and an unreachable server name the server and the fix")
    func connectionErrors() async throws {
        try await PluginSandbox.with { sandbox in
            let stranger = ElevateSession(client: KubeClient(configuration: ClientConfiguration(server: sandbox.server.url, namespace: "payments", credentials: .token("wrong"))))
            defer { stranger.client.shutdown() }
            await #expect(throws: PluginError.unauthorized(server: sandbox.server.url)) { _ = try await stranger.whoAmI() }
        }
        let nowhere = ElevateSession(client: KubeClient(configuration: ClientConfiguration(server: "http://127.0.0.1:1", namespace: "payments")))
        defer { nowhere.client.shutdown() }
        do {
            _ = try await nowhere.whoAmI()
            Issue.record("an unreachable server answered")
        } catch {
            guard case .unreachable(let server, _) = error else { Issue.record("\(error)"); return }
            #expect(server == "http://127.0.0.1:1")
            #expect(error.description.hasSuffix("check that the cluster is running and that your kubeconfig's server address is right."))
        }
    }

    @Test("no kubeconfig is one sentence saying how to point at one")
    func noKubeconfig() throws {
        #expect(throws: PluginError.self) {
            _ = try ElevateSession.open(kubeconfig: "/nonexistent/kubeconfig", context: nil, namespace: nil, environment: [:])
        }
        do {
            _ = try ElevateSession.open(kubeconfig: nil, context: nil, namespace: nil, environment: ["HOME": "/nonexistent-home"])
            Issue.record("opened a session without a kubeconfig")
        } catch {
            #expect(error.description.hasPrefix("Cannot load a kubeconfig ("))
            #expect(error.description.hasSuffix("pass --kubeconfig PATH, set KUBECONFIG, or pick a context with --context."))
        }
    }
}
