import Testing

@testable import Elevation

struct PolicyProblemCase: Sendable, CustomTestStringConvertible {
    let name: String
    let policy: ElevationPolicy
    let reason: String
    let field: String
    let fragment: String
    var testDescription: String { name }
}

@Suite struct PolicyValidationTests {
    static func linkerd(_ spec: inout ElevationPolicySpec) {
        spec.mesh = .linkerd
        spec.target = PolicyTarget(linkerdServer: "payments-http")
        spec.subjects = [.serviceAccount("tools", "debugger")]
        spec.rules = [AccessRule(ports: ["8080"])]
    }

    static let cases: [PolicyProblemCase] = [
        .init(name: "bad duration", policy: Fixture.policy { $0.maxDuration = "1d" }, reason: "InvalidDuration",
              field: "spec.maxDuration", fragment: "\"d\" is not a unit"),
        .init(name: "zero duration", policy: Fixture.policy { $0.defaultDuration = "0s" }, reason: "InvalidDuration",
              field: "spec.defaultDuration", fragment: "must be longer than 0s"),
        .init(name: "default over max", policy: Fixture.policy { $0.defaultDuration = "2h" }, reason: "InvalidDuration",
              field: "spec.defaultDuration", fragment: "2h is longer than spec.maxDuration 1h"),
        .init(name: "bad timeout", policy: Fixture.policy { $0.approval?.timeout = "soon" }, reason: "InvalidDuration",
              field: "spec.approval.timeout", fragment: "\"soon\""),
        .init(name: "two targets", policy: Fixture.policy { $0.target.linkerdServer = "x" }, reason: "InvalidTarget",
              field: "spec.target", fragment: "exactly one"),
        .init(name: "empty selector", policy: Fixture.policy { $0.target = PolicyTarget(workloadSelector: LabelSelector(matchLabels: [:])) },
              reason: "InvalidTarget", field: "spec.target.workloadSelector.matchLabels", fragment: "at least one label"),
        .init(name: "server with istio", policy: Fixture.policy { $0.target = PolicyTarget(linkerdServer: "s") }, reason: "MeshMismatch",
              field: "spec.target.linkerdServer", fragment: "mesh linkerd only"),
        .init(name: "linkerd without server", policy: Fixture.policy { linkerd(&$0); $0.target = PolicyTarget(workloadSelector: LabelSelector(matchLabels: ["a": "b"])) },
              reason: "MeshMismatch", field: "spec.target.linkerdServer", fragment: "is required with mesh linkerd"),
        .init(name: "linkerd JWT", policy: Fixture.policy { linkerd(&$0); $0.subjects = [Subject(requestPrincipal: "x/*")] },
              reason: "MeshMismatch", field: "spec.subjects[0].requestPrincipal", fragment: "istio only"),
        .init(name: "linkerd paths", policy: Fixture.policy { linkerd(&$0); $0.rules = [AccessRule(ports: ["80"], paths: ["/x"])] },
              reason: "UnsupportedRule", field: "spec.rules[0]", fragment: "only be limited by ports"),
        .init(name: "no subjects", policy: Fixture.policy { $0.subjects = [] }, reason: "NoSubjects", field: "spec.subjects", fragment: "at least one"),
        .init(name: "wildcard namespace", policy: Fixture.policy { $0.subjects = [.serviceAccount("*", "x")] }, reason: "InvalidSubject",
              field: "spec.subjects[0]", fragment: "namespace \"*\""),
        .init(name: "middle wildcard principal", policy: Fixture.policy { $0.subjects = [Subject(requestPrincipal: "a*b")] },
              reason: "InvalidSubject", field: "spec.subjects[0]", fragment: "only at its start or end"),
        .init(name: "no rules", policy: Fixture.policy { $0.rules = [] }, reason: "NoRules", field: "spec.rules", fragment: "at least one"),
        .init(name: "bad path", policy: Fixture.policy { $0.rules[0].paths = ["/ok", "/a*b"] }, reason: "InvalidPath",
              field: "spec.rules[0].paths[1]", fragment: "/exact, /prefix/*, */suffix or *"),
        .init(name: "relative path", policy: Fixture.policy { $0.rules[0].paths = ["admin/*"] }, reason: "InvalidPath",
              field: "spec.rules[0].paths[0]", fragment: "\"admin/*\""),
        .init(name: "bad method", policy: Fixture.policy { $0.rules[0].methods = ["get"] }, reason: "InvalidMethod",
              field: "spec.rules[0].methods[0]", fragment: "\"get\" is not an HTTP method"),
        .init(name: "bad port", policy: Fixture.policy { $0.rules[0].ports = ["70000"] }, reason: "InvalidPort",
              field: "spec.rules[0].ports[0]", fragment: "1 to 65535"),
        .init(name: "bad pattern", policy: Fixture.policy { $0.approval?.autoApprove = AutoApprove(reasonPattern: "INC-(") },
              reason: "InvalidReasonPattern", field: "spec.approval.autoApprove.reasonPattern", fragment: "\"INC-(\""),
        .init(name: "catastrophic pattern", policy: Fixture.policy { $0.approval?.autoApprove = AutoApprove(reasonPattern: "^INC-[0-9]+(a+)+$") },
              reason: "InvalidReasonPattern", field: "spec.approval.autoApprove.reasonPattern", fragment: "repeats the group (a+)+"),
        .init(name: "stage without members", policy: Fixture.policy(stages: [ApprovalStage(name: "x")]), reason: "InvalidStage",
              field: "spec.approval.stages[0]", fragment: "nobody could approve"),
        .init(name: "stage too demanding", policy: Fixture.policy(stages: [ApprovalStage(name: "x", users: ["a"], required: 2)]),
              reason: "InvalidStage", field: "spec.approval.stages[0].required", fragment: "lists only 1 users"),
        .init(name: "duplicate stage", policy: Fixture.policy(stages: [ApprovalStage(name: "x", users: ["a"]), ApprovalStage(name: "x", users: ["b"])]),
              reason: "InvalidStage", field: "spec.approval.stages[1].name", fragment: "used by an earlier stage"),
    ]

    @Test(arguments: cases)
    func problemNamesTheField(_ scenario: PolicyProblemCase) throws {
        let problems = scenario.policy.problems()
        let problem = try #require(problems.first { $0.reason == scenario.reason }, "\(problems)")
        #expect(problem.field == scenario.field)
        #expect(problem.message.contains(scenario.fragment), "\(problem.message)")
    }

    @Test func theAPIExamplesAreValid() {
        #expect(Fixture.policy().problems() == [])
        #expect(Fixture.policy { Self.linkerd(&$0) }.problems() == [])
        let ambient = Fixture.policy { $0.target = PolicyTarget(targetRefs: [TargetRef(group: "", kind: "Service", name: "payments")]) }
        #expect(ambient.problems() == [])
    }
}

@Suite struct PolicyReadinessTests {
    @Test func readyWhenValidAndCoveredByABaselineAllow() {
        let baseline = DefaultDenyGuardTests.authorizationPolicy("baseline")
        let policy = Fixture.policy()
        let readiness = policy.readiness(backends: [IstioBackend()], meshObjects: [baseline])
        #expect(readiness.isReady && readiness.reason == "Valid")
        let status = policy.nextStatus(readiness: readiness, activeGrants: 2, now: Fixture.at(5.5))
        #expect(status.activeGrants == 2 && status.observedGeneration == 1)
        #expect(status.conditions?[type: "Ready"]?.status == .true)
        #expect(status.conditions?[type: "Ready"]?.lastTransitionTime == Fixture.at(5))
    }

    @Test func notReadyNamesTheFirstProblemAndCountsTheRest() {
        let policy = Fixture.policy { $0.rules[0].ports = ["0"]; $0.rules[0].methods = ["get"] }
        let readiness = policy.readiness(backends: [IstioBackend()], meshObjects: nil)
        #expect(!readiness.isReady && readiness.reason == "InvalidMethod")
        #expect(readiness.message.hasPrefix("spec.rules[0].methods[0]: "))
        #expect(readiness.message.hasSuffix("(and 1 more problems)"))
    }

    @Test func notReadyWithoutDefaultDenyOrWithAnUnsupportedMesh() {
        let readiness = Fixture.policy().readiness(backends: [IstioBackend()], meshObjects: [])
        #expect(readiness.reason == "NoDefaultDeny" && readiness.message.hasPrefix("spec.target: "))
        let linkerd = Fixture.policy { PolicyValidationTests.linkerd(&$0) }.readiness(backends: [IstioBackend()], meshObjects: [])
        #expect(linkerd.reason == "UnsupportedMesh")
    }
}
