import Elevation
import ElevatorController
import Foundation
import Kube
import Testing
import YAML

extension Harness {
    /// An ElevationApproval of `request` by `user` (in `groups`), as that approver would apply it.
    func approve(_ request: JSONValue, by user: String, groups: [String], decision: String = "Approve") async throws {
        let name = request["metadata"]?["name"]?.stringValue ?? ""
        try await apply(
            """
            apiVersion: elevator.dev/v1alpha1
            kind: ElevationApproval
            metadata: {name: \(name)-\(user.prefix { $0 != "@" }), namespace: payments}
            spec:
              request: \(name)
              requestUID: \(request["metadata"]?["uid"]?.stringValue ?? "")
              decision: \(decision)
              approver: {user: \(user), groups: [\(groups.joined(separator: ", "))]}
            """, Self.approvals)
    }

    func condition(_ type: String, of request: String) async throws -> JSONValue? {
        try await get(Self.requests, request)?["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }
    }

    /// The controller's API calls so far, all verbs together.
    var controllerCalls: Int { controllerClient.apiCalls.snapshot.values.reduce(0, +) }
}

extension ControllerIntegrationTests {
    /// The request paths of API.md not covered by GrantLifecycleTests: two stages, the approval
    /// timeout, an extension, a deleted policy, and input the schema could not catch.
    @Suite(.timeLimit(.minutes(1))) struct RequestPathTests {
        @Test func twoStagesNeedTwoPeopleAndOnePersonCountsForOneStageOnly() async throws {
            let harness = try await Harness()
            try await harness.installPolicy()
            try await harness.installPolicy(
                name: "two-stage",
                approval: """
                    stages:
                      - {name: oncall, groups: [payments-oncall], required: 1}
                      - {name: security, groups: [security], users: [sec-bot@example.com], required: 1}
                """)
            let created = try await harness.request("inc-40", duration: "30s", policy: "two-stage")
            try await harness.waitForPhase("inc-40", "Pending")
            // Carol is in both stages' groups; alone she meets one stage, never both.
            try await harness.approve(created, by: "carol@example.com", groups: ["payments-oncall", "security"])
            try await waitFor("carol's approval to be counted") {
                try await harness.get(Harness.requests, "inc-40")?["status"]?["approvals"]?.arrayValue?.count == 1
            }
            let approved = try await harness.condition("Approved", of: "inc-40")
            #expect(approved?["status"]?.stringValue == "False")
            #expect(approved?["message"]?.stringValue?.contains("needs 1 more") == true)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await harness.phase("inc-40") == "Pending")
            #expect(try await harness.get(Harness.authorizationPolicies, "elevator-inc-40") == nil)
            // Bob (on call only) makes the assignment possible: bob -> oncall, carol -> security.
            try await harness.approve(created, by: "bob@example.com", groups: ["payments-oncall"])
            try await harness.waitForPhase("inc-40", "Active")
            #expect(try await harness.get(Harness.authorizationPolicies, "elevator-inc-40") != nil)
            let approvals = try #require(try await harness.get(Harness.requests, "inc-40")?["status"]?["approvals"]?.arrayValue)
            let stages = Dictionary(uniqueKeysWithValues: approvals.compactMap { item in
                item["approver"]?.stringValue.flatMap { who in item["stage"]?.stringValue.map { (who, $0) } }
            })
            #expect(stages == ["bob@example.com": "oncall", "carol@example.com": "security"])
            await harness.stop()
        }

        @Test func aRequestStillUnapprovedAfterTheTimeoutExpiresWithoutAGrant() async throws {
            let harness = try await Harness()
            try await harness.installPolicy()
            try await harness.installPolicy(
                name: "short-timeout",
                approval: """
                    stages: [{name: oncall, groups: [payments-oncall], required: 1}]
                    timeout: 2s
                """)
            _ = try await harness.request("inc-41", duration: "30s", policy: "short-timeout")
            try await harness.waitForPhase("inc-41", "Pending")
            let started = ContinuousClock.now
            // Never granted on the way: the object must not appear at any poll.
            var sawObject = false
            while try await harness.phase("inc-41") != "Expired", ContinuousClock.now - started < .seconds(8) {
                if try await harness.get(Harness.authorizationPolicies, "elevator-inc-41") != nil { sawObject = true }
                try await Task.sleep(for: .milliseconds(25))
            }
            let waited = ContinuousClock.now - started
            #expect(try await harness.phase("inc-41") == "Expired")
            #expect(!sawObject)
            #expect(waited > .milliseconds(1000), "expired after \(waited), before the 2 s timeout")
            let request = try #require(try await harness.get(Harness.requests, "inc-41"))
            #expect(request["status"]?["grantedAt"] == nil)
            let granted = request["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Granted" }
            #expect(granted?["status"]?.stringValue != "True")
            let approved = request["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Approved" }
            #expect(approved?["reason"]?.stringValue == "ApprovalTimeout")
            try await waitFor("the Expired Event") { try await harness.events(about: "inc-41").contains("Expired") }
            await harness.stop()
        }

        @Test func anExtensionContinuesTheGrantWithoutAGap() async throws {
            let harness = try await Harness()
            try await harness.installPolicy()
            _ = try await harness.request("inc-42", duration: "3s")
            try await harness.waitForPhase("inc-42", "Active")
            try await harness.apply(
                """
                apiVersion: elevator.dev/v1alpha1
                kind: ElevationRequest
                metadata: {name: inc-42-more, namespace: payments}
                spec:
                  policy: payments-debug
                  requester: {user: alice@example.com, groups: [payments-oncall]}
                  subject: {serviceAccount: {namespace: tools, name: debugger}}
                  rules: [{ports: ["8080"], methods: [GET], paths: ["/admin/queue"]}]
                  duration: 2s
                  reason: "INC-1 still stuck"
                  extends: inc-42
                """, Harness.requests)
            try await harness.waitForPhase("inc-42-more", "Active")
            let first = try #require(try await harness.get(Harness.requests, "inc-42")?["status"]?["expiresAt"]?.stringValue.flatMap(RFC3339.parse))
            let second = try #require(try await harness.get(Harness.requests, "inc-42-more")?["status"]?["expiresAt"]?.stringValue.flatMap(RFC3339.parse))
            // The new window starts exactly where the old one ends.
            #expect(second.timeIntervalSince(first) == 2)
            // Across the hand-over, at every poll (10 ms) at least one of the two objects exists.
            var gaps = 0
            let deadline = ContinuousClock.now + .seconds(8)
            while try await harness.phase("inc-42") != "Expired", ContinuousClock.now < deadline {
                let old = try await harness.get(Harness.authorizationPolicies, "elevator-inc-42")
                let new = try await harness.get(Harness.authorizationPolicies, "elevator-inc-42-more")
                if old == nil, new == nil { gaps += 1 }
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(try await harness.phase("inc-42") == "Expired")
            #expect(gaps == 0)
            #expect(try await harness.get(Harness.authorizationPolicies, "elevator-inc-42") == nil)
            #expect(try await harness.get(Harness.authorizationPolicies, "elevator-inc-42-more") != nil)
            #expect(try await harness.phase("inc-42-more") == "Active")
            await harness.stop()
        }

        @Test func deletingThePolicyRevokesItsActiveGrants() async throws {
            let harness = try await Harness()
            try await harness.installPolicy()
            _ = try await harness.request("inc-43", duration: "5s")
            _ = try await harness.request("inc-44", duration: "5s")
            try await harness.waitForPhase("inc-43", "Active")
            try await harness.waitForPhase("inc-44", "Active")
            try await harness.client.delete(Harness.policies, name: "payments-debug", namespace: "payments")
            for name in ["inc-43", "inc-44"] {
                try await harness.waitForPhase(name, "Revoked", seconds: 4)
                #expect(try await harness.get(Harness.authorizationPolicies, "elevator-\(name)") == nil)
                let granted = try await harness.condition("Granted", of: name)
                #expect(granted?["reason"]?.stringValue == "PolicyDeleted")
                #expect(granted?["message"]?.stringValue?.contains("payments-debug") == true)
            }
            await harness.stop()
        }

        @Test func aRequestNamingAMissingPolicyIsDeniedOnceWithoutARetryStorm() async throws {
            let harness = try await Harness()
            try await harness.installPolicy()
            let before = harness.controllerCalls
            _ = try await harness.request("inc-45", duration: "3s", policy: "no-such-policy")
            try await harness.waitForPhase("inc-45", "Denied")
            let valid = try await harness.condition("Valid", of: "inc-45")
            #expect(valid?["reason"]?.stringValue == "PolicyNotFound")
            #expect(valid?["message"]?.stringValue?.contains("no-such-policy") == true)
            try await Task.sleep(for: .seconds(2))
            let settled = harness.controllerCalls
            try await Task.sleep(for: .seconds(2))
            let calls = harness.controllerCalls - before
            print("measured: API calls for a request naming a missing policy: \(calls) (in the last 2 s: \(harness.controllerCalls - settled))")
            // Finalizer, status, Event (and the finalizer's removal): a handful, then silence.
            #expect(calls <= 6)
            #expect(harness.controllerCalls == settled)
            #expect(try await harness.phase("inc-45") == "Denied")
            await harness.stop()
        }

        @Test func aPolicyWhoseReasonPatternDoesNotCompileIsNotReadyAndItsRequestsAreDenied() async throws {
            let harness = try await Harness()
            try await harness.installPolicy()
            let before = harness.controllerCalls
            try await harness.installPolicy(
                name: "bad-regex",
                approval: """
                    stages: [{name: oncall, groups: [payments-oncall], required: 1}]
                    autoApprove: {maxDuration: 5s, reasonPattern: "INC-[0-9"}
                """)
            try await waitFor("Ready=False on the policy") {
                let policy = try await harness.get(Harness.policies, "bad-regex")
                let ready = policy?["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Ready" }
                return ready?["status"]?.stringValue == "False"
            }
            let policy = try #require(try await harness.get(Harness.policies, "bad-regex"))
            let ready = policy["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Ready" }
            #expect(ready?["reason"]?.stringValue == "InvalidReasonPattern")
            #expect(ready?["message"]?.stringValue?.contains("spec.approval.autoApprove.reasonPattern") == true)
            #expect(ready?["observedGeneration"]?.intValue == policy["metadata"]?["generation"]?.intValue)

            _ = try await harness.request("inc-46", duration: "3s", policy: "bad-regex")
            try await harness.waitForPhase("inc-46", "Denied")
            let valid = try await harness.condition("Valid", of: "inc-46")
            #expect(valid?["reason"]?.stringValue == "PolicyNotReady")
            #expect(valid?["message"]?.stringValue?.contains("spec.approval.autoApprove.reasonPattern") == true)
            #expect(try await harness.get(Harness.authorizationPolicies, "elevator-inc-46") == nil)
            try await Task.sleep(for: .seconds(2))
            let settled = harness.controllerCalls
            try await Task.sleep(for: .seconds(2))
            let calls = harness.controllerCalls - before
            print("measured: API calls for a policy with a bad reasonPattern and one request under it: \(calls) (in the last 2 s: \(harness.controllerCalls - settled))")
            // One policy status write; the request's finalizer, status and Event: then silence.
            #expect(calls <= 8)
            #expect(harness.controllerCalls == settled)
            await harness.stop()
        }
    }
}
