import Elevation
import Foundation
import YAML

/// One test case of a policy test file (docs/testing-policies.md), resolved into a `Scenario`
/// and its expectations.
struct PolicyTestCase {
    var name: String
    /// Where the case is written, for failure lines.
    var mark: YAMLMark
    var scenario: Scenario
    var expect: Expectation

    /// What the decision must be; nil fields are not checked.
    struct Expectation {
        var phase: RequestPhase
        var reason: String?
        var message: String?
        var expiresAt: Date?
        var meshObjects: [JSONValue]?
    }
}

/// Reads test files: a YAML document with a top-level `tests` list (and no `apiVersion`).
enum PolicyTestFile {
    /// Whether a document is a test file's (rather than a manifest beside it).
    static func isTestDocument(_ root: YAMLNode) -> Bool {
        root.kind == .mapping && root["tests"] != nil && root["apiVersion"] == nil
    }

    /// The cases of one test document; `base` is the folder of its file (paths are relative to it).
    static func cases(of root: YAMLNode, base: String) throws(CLIError) -> [PolicyTestCase] {
        let policies = try ObjectLoader.policies(try ObjectLoader.documents(items: root["policies"], base: base))
        let sharedMesh = try ObjectLoader.json(try ObjectLoader.documents(items: root["meshObjects"], base: base))
        var options = MeshOptions()
        if let trustDomain = root["trustDomain"]?.scalar { options.trustDomain = trustDomain }
        if let namespace = root["meshRootNamespace"]?.scalar { options.meshRootNamespace = namespace }
        guard let tests = root["tests"], tests.kind == .sequence else {
            throw .invalidTest(detail: "\(root.mark): tests must be a list of test cases")
        }
        var cases: [PolicyTestCase] = []
        for node in tests.elements {
            cases.append(try testCase(node, policies: policies, meshObjects: sharedMesh, options: options, base: base))
        }
        return cases
    }

    private static func testCase(
        _ node: YAMLNode, policies: [ElevationPolicy], meshObjects: [JSONValue], options: MeshOptions, base: String
    ) throws(CLIError) -> PolicyTestCase {
        func required(_ key: String) throws(CLIError) -> YAMLNode {
            guard let value = node[key] else {
                throw .invalidTest(detail: "\(node.mark): this test case has no \(key); add it (see docs/testing-policies.md)")
            }
            return value
        }
        let name = try required("name").scalar ?? ""
        let nowNode = try required("now")
        guard let now = RFC3339.parse(nowNode.scalar ?? "") else { throw .invalidTime(text: nowNode.scalar ?? "") }
        let requestRoots = try ObjectLoader.documents(items: try required("request"), base: base)
        guard requestRoots.count == 1, let requestRoot = requestRoots.first else {
            throw .invalidTest(detail: "\(node.mark): test case \"\(name)\" must have exactly one request, not \(requestRoots.count)")
        }
        guard case .request(var request) = try ObjectLoader.object(requestRoot, kind: "ElevationRequest") else {
            throw ObjectLoader.unexpected(requestRoot, expected: "ElevationRequest")
        }
        // The request as the controller first sees it, with the test's namespace and uid defaults.
        let policy = try ObjectLoader.policy(for: request, in: policies, searched: "the test file's policies")
        request = Scenario.completed(request, policy: policy, now: now)
        var approvals: [ElevationApproval] = []
        for root in try ObjectLoader.documents(items: node["approvals"], base: base) {
            approvals.append(try approval(root, for: request, now: now))
        }
        var active: [ElevationRequest] = []
        for root in try ObjectLoader.documents(items: node["activeGrants"], base: base) {
            guard case .request(let grant) = try ObjectLoader.object(root, kind: "ElevationRequest") else {
                throw ObjectLoader.unexpected(root, expected: "ElevationRequest (with status.phase Active)")
            }
            active.append(grant)
        }
        var mesh = meshObjects
        if let own = node["meshObjects"] { mesh = try ObjectLoader.json(try ObjectLoader.documents(items: own, base: base)) }
        let scenario = Scenario(
            policies: policies, request: request, approvals: approvals, activeGrants: active, meshObjects: mesh,
            options: options, now: now)
        return PolicyTestCase(name: name, mark: node.mark, scenario: scenario, expect: try expectation(try required("expect"), base: base))
    }

    /// An approval, with `spec.request`, `spec.requestUID` and the namespace taken from the case's
    /// request when omitted, and its creation time defaulting to the case's `now`.
    private static func approval(_ root: YAMLNode, for request: ElevationRequest, now: Date) throws(CLIError) -> ElevationApproval {
        guard var json = try? root.toJSON(), case .object = json, json["kind"]?.stringValue == "ElevationApproval" else {
            throw ObjectLoader.unexpected(root, expected: "ElevationApproval")
        }
        var metadata = json["metadata"] ?? .object([:])
        if metadata["namespace"] == nil { metadata["namespace"] = .string(request.metadata.namespace ?? "") }
        if metadata["name"] == nil { metadata["name"] = .string("\(request.metadata.name)-approval") }
        if metadata["creationTimestamp"] == nil { metadata["creationTimestamp"] = .string(RFC3339.format(now)) }
        json["metadata"] = metadata
        var spec = json["spec"] ?? .object([:])
        if spec["request"] == nil { spec["request"] = .string(request.metadata.name) }
        if spec["requestUID"] == nil { spec["requestUID"] = .string(request.metadata.uid ?? "") }
        json["spec"] = spec
        do {
            return try JSONValueDecoder().decode(ElevationApproval.self, from: json)
        } catch {
            // The filled-in JSON lost positions; decode the written node for a positioned message.
            _ = try ObjectLoader.object(root)
            throw .invalidManifest(detail: "\(root.mark): \(error)")
        }
    }

    private static func expectation(_ node: YAMLNode, base: String) throws(CLIError) -> PolicyTestCase.Expectation {
        guard let phaseText = node["phase"]?.scalar, let phase = RequestPhase(rawValue: phaseText) else {
            let phases = RequestPhase.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalidTest(detail: "\(node.mark): expect.phase must be one of \(phases)")
        }
        var expiresAt: Date?
        if let text = node["expiresAt"]?.scalar {
            guard let date = RFC3339.parse(text) else { throw .invalidTime(text: text) }
            expiresAt = date
        }
        var objects: [JSONValue]?
        if let items = node["meshObjects"] {
            objects = items.kind == .sequence && items.count == 0 ? [] : try ObjectLoader.json(try ObjectLoader.documents(items: items, base: base))
        }
        return PolicyTestCase.Expectation(
            phase: phase, reason: node["reason"]?.scalar, message: node["message"]?.scalar, expiresAt: expiresAt,
            meshObjects: objects)
    }
}
