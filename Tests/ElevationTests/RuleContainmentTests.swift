import Testing

@testable import Elevation
import TestSupport

@Suite struct PathPatternTests {
    @Test(arguments: [
        ("/admin/queue", "/admin/*", true), ("/admin/*", "/admin/*", true), ("/admin/x/*", "/admin/*", true),
        ("/admin*", "/admin/*", false), ("/admin/*", "/admin/queue", false), ("*", "/admin/*", false),
        ("/a", "*", true), ("*", "*", true), ("*.json", "*", true), ("*/x.json", "*.json", true), ("*.json", "*/x.json", false),
        ("/a.json", "*.json", true), ("/a/*", "*.json", false), ("*.json", "/a/*", false), ("/admin", "/admin", true),
        ("/admin", "/admins", false), ("/debug/pprof/heap", "/debug/pprof/*", true),
    ])
    func containment(inner: String, outer: String, expected: Bool) throws {
        let innerPattern = try #require(PathPattern(parsing: inner))
        let outerPattern = try #require(PathPattern(parsing: outer))
        #expect(innerPattern.isInside(outerPattern) == expected)
    }

    @Test(arguments: ["", "**", "/a*b", "*a*", "/a/*/b"])
    func rejectsFormsIstioDoesNotHave(text: String) {
        #expect(PathPattern(parsing: text) == nil)
    }
}

@Suite struct RuleContainmentTests {
    static let policyRule = AccessRule(ports: ["8080"], methods: ["GET", "POST"], paths: ["/admin/*", "/debug/pprof/*"])

    @Test(arguments: [
        (AccessRule(ports: ["8080"], methods: ["GET"], paths: ["/admin/queue"]), true),
        (AccessRule(ports: ["8080"], methods: ["GET", "POST"], paths: ["/admin/*", "/debug/pprof/heap"]), true),
        (AccessRule(ports: ["9090"], methods: ["GET"], paths: ["/admin/queue"]), false),
        (AccessRule(ports: ["8080"], methods: ["DELETE"], paths: ["/admin/queue"]), false),
        (AccessRule(ports: ["8080"], methods: ["GET"], paths: ["/metrics"]), false),
        (AccessRule(methods: ["GET"], paths: ["/admin/queue"]), false),  // any port is wider than 8080
        (AccessRule(ports: ["8080"], paths: ["/admin/queue"]), false),  // any method is wider than GET, POST
        (AccessRule(ports: ["8080"], methods: ["GET"]), false),  // any path is wider
        (AccessRule(ports: ["8080"], methods: ["GET"], paths: ["*"]), false),
    ])
    func requestRuleInsidePolicyRule(rule: AccessRule, expected: Bool) {
        #expect(rule.isInside(Self.policyRule) == expected)
    }

    @Test func openOuterFieldsContainAnything() {
        #expect(AccessRule(ports: ["1"], methods: ["PUT"], paths: ["/x"]).isInside(AccessRule()))
        #expect(AccessRule().isInside(AccessRule(ports: [], methods: nil, paths: [])))
        #expect(!AccessRule().isInside(AccessRule(ports: ["80"])))
    }

    @Test func subjectsAreContainedByNamespaceAndWildcardName() {
        let policy: [Subject] = [.serviceAccount("ops", "*"), Subject(requestPrincipal: "https://idp.example.com/*")]
        #expect(Subject.serviceAccount("ops", "anyone").isInside(policy[0]))
        #expect(!Subject.serviceAccount("ops2", "anyone").isInside(policy[0]))
        #expect(Subject.serviceAccount("ops", "*").isInside(policy[0]))
        #expect(!Subject.serviceAccount("ops", "*").isInside(.serviceAccount("ops", "x")))
        #expect(Subject(requestPrincipal: "https://idp.example.com/alice").isInside(policy[1]))
        #expect(!Subject(requestPrincipal: "https://evil.example.com/alice").isInside(policy[1]))
        #expect(!Subject(requestPrincipal: "tools/debugger").isInside(.serviceAccount("tools", "debugger")))
    }

    // Property: whenever containment says yes, every concrete request the inner rule allows is
    // allowed by the outer one. Checked over every path up to length 4 of a small alphabet.
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func containmentIsSoundOverConcreteRequests(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let ports = [80, 8080, 9090]
        let methods = ["GET", "POST", "PUT"]
        let alphabet: [Character] = ["/", "a", "b"]
        var paths: [String] = [""]
        var frontier = [""]
        for _ in 0..<4 {
            frontier = frontier.flatMap { prefix in alphabet.map { prefix + String($0) } }
            paths += frontier
        }
        paths.removeFirst()
        func randomPattern() -> String {
            let length = Int.random(in: 1...3, using: &random)
            let body = String((0..<length).map { _ in alphabet.randomElement(using: &random) ?? "/" })
            switch Int.random(in: 0..<7, using: &random) {
            case 0: return "*"
            case 1, 2: return body + "*"
            case 3: return "*" + body
            default: return body
            }
        }
        func randomList<T>(_ make: () -> T) -> [T]? {
            switch Int.random(in: 0..<4, using: &random) {
            case 0: return nil
            default: return (0..<Int.random(in: 1...2, using: &random)).map { _ in make() }
            }
        }
        func randomRule() -> AccessRule {
            AccessRule(
                ports: randomList { String(ports.randomElement(using: &random) ?? 80) },
                methods: randomList { methods.randomElement(using: &random) ?? "GET" },
                paths: randomList { randomPattern() })
        }
        var contained = 0
        for _ in 0..<3000 {
            let outer = randomRule()
            let inner = randomRule()
            guard inner.isInside(outer) else { continue }
            contained += 1
            for port in ports + [1234] {
                for method in methods + ["DELETE"] {
                    for path in paths where inner.allows(port: port, method: method, path: path) {
                        #expect(
                            outer.allows(port: port, method: method, path: path),
                            "\(inner) is said to be inside \(outer) but allows \(method) \(path) on \(port)")
                    }
                }
            }
        }
        #expect(contained > 100, "too few contained pairs (\(contained)) for the property to mean much")
    }
}
