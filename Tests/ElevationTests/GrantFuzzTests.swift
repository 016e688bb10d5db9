import Foundation
import Testing
import YAML

@testable import Elevation
import TestSupport

/// Random valid policies and requests through `decide` and the Istio backend: no grant is ever
/// wider than its request, no principal list is empty, and every generated AuthorizationPolicy
/// passes the real Istio CRD schema and CEL rules (checked by Tests/e2e/istio_policy_check.py).
@Suite struct GrantFuzzTests {
    struct Generator {
        var random: SeededRandom
        let segments = ["admin", "debug", "queue", "pprof", "v1", "x.json"]
        let methods = ["GET", "POST", "PUT", "DELETE", "PATCH"]

        mutating func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &random)] }
        mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }

        mutating func path() -> String {
            let depth = Int.random(in: 1...3, using: &random)
            let body = "/" + (0..<depth).map { _ in pick(segments) }.joined(separator: "/")
            switch Int.random(in: 0..<6, using: &random) {
            case 0: return "*"
            case 1, 2: return body + "/*"
            case 3: return "*." + "json"
            default: return body
            }
        }

        mutating func list<T>(_ make: (inout Generator) -> T, max: Int) -> [T]? {
            guard chance(75) else { return nil }
            return Array(Set((0..<Int.random(in: 1...max, using: &random)).map { _ in "\(make(&self))" })).sorted() as? [T]
        }

        mutating func rule() -> AccessRule {
            AccessRule(
                ports: list({ "\(Int.random(in: 1...65535, using: &$0.random))" }, max: 3),
                methods: list({ $0.pick($0.methods) }, max: 3), paths: list({ $0.path() }, max: 3))
        }

        /// A rule inside `outer`: each restricted field narrowed to a non-empty subset (or a more
        /// specific path), each open field sometimes restricted.
        mutating func narrowed(_ outer: AccessRule) -> AccessRule {
            func subset(_ values: [String]?, _ fresh: (inout Generator) -> String, _ g: inout Generator) -> [String]? {
                guard let values, !values.isEmpty else { return g.chance(50) ? [fresh(&g)] : nil }
                let kept = values.filter { _ in g.chance(60) }
                return kept.isEmpty ? [values[0]] : kept
            }
            let paths: [String]? = outer.paths.map { outerPaths in
                outerPaths.filter { _ in chance(60) }.map { pattern -> String in
                    if pattern.hasSuffix("/*"), chance(50) { return String(pattern.dropLast()) + pick(segments) }
                    if pattern == "*", chance(50) { return "/" + pick(segments) }
                    return pattern
                }
            }
            return AccessRule(
                ports: subset(outer.ports, { "\(Int.random(in: 1...65535, using: &$0.random))" }, &self),
                methods: subset(outer.methods, { $0.pick($0.methods) }, &self),
                paths: (paths?.isEmpty ?? true) ? (outer.paths.map { [$0[0]] } ?? (chance(50) ? [path()] : nil)) : paths)
        }

        mutating func subject() -> Subject {
            switch Int.random(in: 0..<4, using: &random) {
            case 0: return Subject(requestPrincipal: "https://idp.example.com/" + pick(["*", "alice", "bob"]))
            case 1: return .serviceAccount(pick(["tools", "ops"]), "*")
            default: return .serviceAccount(pick(["tools", "ops"]), pick(["debugger", "oncall", "ci"]))
            }
        }

        mutating func policy() -> ElevationPolicy {
            Fixture.policy(stages: []) { spec in
                spec.target =
                    chance(80)
                    ? PolicyTarget(workloadSelector: LabelSelector(matchLabels: ["app": pick(["payments", "shop"])]))
                    : PolicyTarget(targetRefs: [TargetRef(group: "", kind: "Service", name: pick(["payments", "shop"]))])
                spec.subjects = (0..<Int.random(in: 1...3, using: &random)).map { _ in subject() }
                spec.rules = (0..<Int.random(in: 1...3, using: &random)).map { _ in rule() }
                spec.requireReason = false
            }
        }

        mutating func request(under policy: ElevationPolicy, index: Int) -> ElevationRequest {
            let outerSubject = pick(policy.spec.subjects)
            var subject = chance(85) ? outerSubject : self.subject()
            if let account = subject.serviceAccount, account.name == "*" {
                subject = .serviceAccount(account.namespace, pick(["debugger", "x", "ci"]))
            }
            if let principal = subject.requestPrincipal, principal.hasSuffix("*"), chance(70) {
                subject = Subject(requestPrincipal: String(principal.dropLast()) + "carol")
            }
            let rules: [AccessRule]? =
                chance(20) ? nil : (0..<Int.random(in: 1...2, using: &random)).map { _ in chance(85) ? narrowed(pick(policy.spec.rules)) : rule() }
            return Fixture.request(name: "fuzz-\(index)", uid: "uid-\(index)") { spec in
                spec.subject = subject
                spec.rules = rules
            }
        }
    }

    @Test func noGrantIsWiderThanItsRequestAndAllPassTheIstioSchema() throws {
        var generator = Generator(random: SeededRandom(seed: 2026))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("elevator-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var granted = 0
        var denied = 0
        let concretePaths = ["/admin", "/admin/queue", "/debug/pprof/heap", "/v1/x.json", "/queue", "/x.json", "/other"]
        for index in 0..<400 {
            let policy = generator.policy()
            let request = generator.request(under: policy, index: index)
            let decision = decide(request: request, policy: policy, approvals: [], activeGrants: [], now: Fixture.at(10))
            guard let grant = decision.grant else {
                denied += 1
                #expect(decision.status.phase == .denied, "a valid-looking request neither granted nor denied")
                continue
            }
            granted += 1
            let requested = request.spec.rules ?? policy.spec.rules
            #expect(grant.rules == requested)
            #expect(grant.subject == request.spec.subject)
            #expect(requested.allSatisfy { rule in policy.spec.rules.contains { rule.isInside($0) } })
            #expect(policy.spec.subjects.contains { grant.subject.isInside($0) })
            let object = try #require(decision.meshObjects.first)
            let rendered = object["spec"]?["rules"]?.arrayValue ?? []
            #expect(rendered.count == 1)
            let source = rendered.first?["from"]?.arrayValue?.first?["source"]
            let principals = (source?["principals"]?.arrayValue ?? []) + (source?["requestPrincipals"]?.arrayValue ?? [])
            #expect(principals.count == 1 && principals.allSatisfy { ($0.stringValue ?? "").isEmpty == false })
            #expect(!principals.contains { $0.stringValue?.hasPrefix("spiffe://") == true })
            let operations = (rendered.first?["to"]?.arrayValue ?? []).map { entry -> AccessRule in
                let operation = entry["operation"]
                func strings(_ key: String) -> [String]? { operation?[key]?.arrayValue?.compactMap(\.stringValue) }
                return AccessRule(ports: strings("ports"), methods: strings("methods"), paths: strings("paths"))
            }
            #expect(operations.count == requested.count)
            // Concretely: whatever the rendered policy lets through, the request asked for and
            // the policy allows.
            for operation in operations {
                for port in [80, 8080] + (operation.ports ?? []).compactMap({ Int($0) }) {
                    for method in ["GET", "POST", "DELETE"] {
                        for path in concretePaths + (operation.paths ?? []).filter({ !$0.contains("*") })
                        where operation.allows(port: port, method: method, path: path) {
                            #expect(requested.contains { $0.allows(port: port, method: method, path: path) })
                            #expect(policy.spec.rules.contains { $0.allows(port: port, method: method, path: path) })
                        }
                    }
                }
            }
            let data = try JSONEncoder().encode(object)
            try data.write(to: folder.appendingPathComponent("fuzz-\(index).json"))
        }
        #expect(granted > 150, "too few grants (\(granted)) for the fuzzing to mean much")
        #expect(denied > 10, "the generator should also produce requests outside their policy")
        // The objects of the other Istio tests too, so every shape they assert on is also checked.
        let examples: [(String, Grant, MeshOptions)] = [
            ("api-md", IstioBackendTests.grant(), MeshOptions()),
            ("long", IstioBackendTests.grant(name: String(repeating: "n", count: 253)), MeshOptions()),
            ("trust-domain", IstioBackendTests.grant(rules: [AccessRule(ports: ["8080"]), AccessRule(methods: ["GET"], paths: ["/a", "/b/*"])]),
             MeshOptions(trustDomain: "corp.example")),
            ("jwt", IstioBackendTests.grant(subject: Subject(requestPrincipal: "https://idp.example.com/alice")), MeshOptions()),
            ("waypoint", IstioBackendTests.grant(target: PolicyTarget(targetRefs: [TargetRef(group: "", kind: "Service", name: "payments")])), MeshOptions()),
        ]
        for (name, grant, options) in examples {
            let object = try #require(try IstioBackend(options: options).render(grant).first)
            try JSONEncoder().encode(object).write(to: folder.appendingPathComponent("\(name).json"))
        }
        let result = try TestPython.run("Tests/e2e/istio_policy_check.py", [folder.path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("checked \(granted + examples.count) AuthorizationPolicies, 0 with problems"))
    }

    @Test func theIstioCheckerRejectsWhatElevatorMustNeverWrite() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("elevator-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var object = try #require(try IstioBackend().render(IstioBackendTests.grant()).first)
        object["spec"]?["rules"] = .array([.object(["from": .array([.object(["source": .object(["principals": .array([])])])])])])
        object["spec"]?["targetRef"] = .object(["kind": "Service", "name": "x"])
        try JSONEncoder().encode(object).write(to: folder.appendingPathComponent("bad.json"))
        let result = try TestPython.run("Tests/e2e/istio_policy_check.py", [folder.path])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("are not exactly one non-empty value"))
        #expect(result.output.contains("only one of targetRefs or selector can be set"))
    }
}
