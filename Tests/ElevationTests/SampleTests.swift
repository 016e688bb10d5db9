import Foundation
import Testing
import YAML

@testable import Elevation

/// The commented samples in manifests/samples/, read through the YAML module as `elevator lint`
/// and the controller's tests read manifests.
@Suite struct SampleTests {
    static func text(_ name: String) throws -> String {
        try String(contentsOf: TestPython.packageRoot.appendingPathComponent("manifests/samples/\(name)"), encoding: .utf8)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ name: String, text: String? = nil) throws -> T {
        try YAMLDecoder().decode(type, from: text ?? Self.text(name), file: "manifests/samples/\(name)")
    }

    @Test func samplesDecodeAndAreValid() throws {
        let policy = try Self.decode(ElevationPolicy.self, "policy.yaml")
        #expect(policy.problems() == [])
        #expect(policy.spec.approval?.stages?.map(\.name) == ["oncall", "security"])
        #expect(policy.spec.subjects[1] == .serviceAccount("ops", "*"))
        let request = try Self.decode(ElevationRequest.self, "request.yaml")
        #expect(request.spec.rules == [AccessRule(ports: ["8080"], methods: ["GET"], paths: ["/admin/queue"])])
        let approval = try Self.decode(ElevationApproval.self, "approval.yaml")
        #expect(approval.spec.decision == .approve && approval.spec.request == request.metadata.name)
    }

    @Test func theSampleRequestIsAutoApprovedUnderTheSamplePolicy() throws {
        let policy = try Self.decode(ElevationPolicy.self, "policy.yaml")
        var request = try Self.decode(ElevationRequest.self, "request.yaml")
        request.metadata.uid = "6f1c2b9e-7d4a-4b8e-9a51-3c2d1e0f4a77"
        request.metadata.creationTimestamp = Fixture.t0
        let decision = decide(request: request, policy: policy, approvals: [], activeGrants: [], now: Fixture.at(1))
        #expect(decision.status.phase == .active)
        #expect(decision.status.conditions?[type: "Approved"]?.reason == "AutoApproved")
        // Without a ticket number in the reason it needs both stages: bob alone is not enough.
        request.spec.reason = "looking into stuck payouts"
        let approval = try Self.decode(ElevationApproval.self, "approval.yaml")
        let pending = decide(request: request, policy: policy, approvals: [approval], activeGrants: [], now: Fixture.at(1))
        #expect(pending.status.phase == .pending)
        #expect(pending.status.approvals?.map(\.stage) == ["oncall"])
        #expect(pending.status.conditions?[type: "Approved"]?.message.contains("security needs 1 more") == true)
    }

    @Test func aBadFieldIsReportedWithFileLineColumnAndPath() throws {
        let original = try Self.text("policy.yaml")
        let broken = original.replacingOccurrences(of: "maxActiveGrants: 5 ", with: "maxActiveGrants: five ")
        #expect(broken != original)
        let lines = broken.components(separatedBy: "\n")
        let line = try #require(lines.firstIndex { $0.contains("maxActiveGrants: five") }) + 1
        let column = try #require(lines[line - 1].range(of: "five")).lowerBound.utf16Offset(in: lines[line - 1]) + 1
        #expect {
            try Self.decode(ElevationPolicy.self, "policy.yaml", text: broken)
        } throws: { error in
            let text = String(describing: error)
            return text.hasPrefix("manifests/samples/policy.yaml:\(line):\(column): spec.maxActiveGrants: ")
        }
        let badPhase = try Self.text("request.yaml").replacingOccurrences(of: "breakGlass: false", with: "breakGlass: [false]")
        #expect {
            try Self.decode(ElevationRequest.self, "request.yaml", text: badPhase)
        } throws: { error in
            String(describing: error).contains(": spec.breakGlass: ")
        }
    }

    @Test func aMissingRequiredFieldNamesIt() throws {
        let noPolicy = try Self.text("request.yaml").replacingOccurrences(of: "  policy: payments-debug\n", with: "")
        #expect {
            try Self.decode(ElevationRequest.self, "request.yaml", text: noPolicy)
        } throws: { error in
            String(describing: error).contains("spec.policy")
        }
    }
}

@Suite struct ElevationObjectTests {
    @Test func multiDocumentManifestsDecodeByKind() throws {
        let text = try ["policy.yaml", "request.yaml", "approval.yaml"].map(SampleTests.text).joined(separator: "\n---\n")
        let objects = try YAMLDecoder().decodeDocuments(ElevationObject.self, from: text, file: "all.yaml")
        #expect(objects.map(\.metadata.name) == ["payments-debug", "inc-1234-debug", "inc-1234-debug-bob"])
        guard case .request(let request) = objects[1] else {
            Issue.record("the second document is not a request")
            return
        }
        #expect(request.spec.policy == "payments-debug")
    }

    @Test(arguments: [
        ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", "apiVersion: \"v1\" is not elevator.dev/v1alpha1"),
        ("apiVersion: elevator.dev/v1alpha1\nkind: ElevationGrant\nmetadata: {name: x}\n", "kind: \"ElevationGrant\" is not an Elevator kind"),
    ])
    func otherKindsAreRefusedByName(text: String, fragment: String) {
        #expect {
            try YAMLDecoder().decode(ElevationObject.self, from: text, file: "x.yaml")
        } throws: { error in
            let description = String(describing: error)
            return description.hasPrefix("x.yaml:") && description.contains(fragment)
        }
    }
}

@Suite struct CRDManifestTests {
    /// The CRDs read through the project's own YAML module (as the sandbox and `elevator` read
    /// them), naming the kinds the Swift types decode.
    @Test(arguments: [
        ("elevationpolicies.yaml", "ElevationPolicy"), ("elevationrequests.yaml", "ElevationRequest"),
        ("elevationapprovals.yaml", "ElevationApproval"),
    ])
    func crdsParseWithTheYAMLModule(file: String, kind: String) throws {
        let text = try String(contentsOf: TestPython.packageRoot.appendingPathComponent("manifests/crds/\(file)"), encoding: .utf8)
        let crd = try YAMLParser().parseJSON(text, file: file)
        #expect(crd["kind"]?.stringValue == "CustomResourceDefinition")
        #expect(crd["spec"]?["names"]?["kind"]?.stringValue == kind)
        #expect(crd["spec"]?["names"]?["categories"] == .array(["elevator"]))
        let version = crd["spec"]?["versions"]?.arrayValue?.first
        #expect(version?["name"]?.stringValue == "v1alpha1")
        #expect(version?["schema"]?["openAPIV3Schema"]?["properties"]?["spec"]?["x-kubernetes-validations"]?.arrayValue?.isEmpty == false)
    }
}

@Suite struct DurationPatternTests {
    /// The CRD's duration pattern and `GoDuration.parse` agree on every short string of duration
    /// characters, so what the API server admits the controller can read, and the reverse.
    @Test func crdPatternAndParserAgree() throws {
        let text = try String(
            contentsOf: TestPython.packageRoot.appendingPathComponent("manifests/crds/elevationpolicies.yaml"), encoding: .utf8)
        let crd = try YAMLParser().parseJSON(text, file: "elevationpolicies.yaml")
        let spec = crd["spec"]?["versions"]?.arrayValue?.first?["schema"]?["openAPIV3Schema"]?["properties"]?["spec"]
        let pattern = try #require(spec?["properties"]?["maxDuration"]?["pattern"]?.stringValue)
        let regex = try Regex(pattern)
        let alphabet = Array("01.hmsuµn")
        var strings = [""]
        var all: [String] = []
        for _ in 0..<5 {
            strings = strings.flatMap { prefix in alphabet.map { prefix + String($0) } }
            all += strings
        }
        var admitted = 0
        for candidate in all where candidate != "0" {
            let byPattern = (try? regex.wholeMatch(in: candidate)) != nil
            let byParser = (try? GoDuration.parse(candidate)) != nil
            #expect(byPattern == byParser, "\"\(candidate)\": pattern \(byPattern), parser \(byParser)")
            if byPattern { admitted += 1 }
        }
        #expect(admitted > 500)
    }
}

@Suite struct PathPatternAgreementTests {
    static func schema(_ file: String) throws -> JSONValue? {
        let text = try String(contentsOf: TestPython.packageRoot.appendingPathComponent("manifests/crds/\(file)"), encoding: .utf8)
        return try YAMLParser().parseJSON(text, file: file)["spec"]?["versions"]?.arrayValue?.first?["schema"]?["openAPIV3Schema"]
    }

    static func strings(_ alphabet: [Character], upTo length: Int) -> [String] {
        var level = [""]
        var all: [String] = []
        for _ in 0..<length {
            level = level.flatMap { prefix in alphabet.map { prefix + String($0) } }
            all += level
        }
        return all
    }

    /// The CRD's path and JWT-principal patterns admit exactly what the controller's validation does.
    @Test func crdPatternsAndValidationAgree() throws {
        let policy = try #require(try Self.schema("elevationpolicies.yaml"))
        let spec = policy["properties"]?["spec"]?["properties"]
        let pathPattern = try #require(spec?["rules"]?["items"]?["properties"]?["paths"]?["items"]?["pattern"]?.stringValue)
        let pathRegex = try Regex(pathPattern)
        for path in Self.strings(Array("/a*{}"), upTo: 5) {
            let byPattern = (try? pathRegex.wholeMatch(in: path)) != nil
            let byValidation = AccessRule(paths: [path]).problems(field: "r").isEmpty
            #expect(byPattern == byValidation, "path \"\(path)\": pattern \(byPattern), validation \(byValidation)")
        }
        let principalPattern = try #require(
            spec?["subjects"]?["items"]?["properties"]?["requestPrincipal"]?["pattern"]?.stringValue)
        let principalRegex = try Regex(principalPattern)
        for principal in Self.strings(Array("/a*:"), upTo: 5) {
            let byPattern = (try? principalRegex.wholeMatch(in: principal)) != nil
            let byValidation = Subject(requestPrincipal: principal).problem(allowWildcardName: true) == nil
            #expect(byPattern == byValidation, "principal \"\(principal)\": pattern \(byPattern), validation \(byValidation)")
        }
    }
}
