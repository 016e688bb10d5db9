import Elevation
import Foundation
import YAML

/// `elevator lint`: offline validation of ElevationPolicy, ElevationRequest and ElevationApproval
/// manifests, each problem at its `file:line:column` with the field path.
///
/// Checks, in order, per document: YAML syntax and Kubernetes' YAML rules (duplicate keys, ...),
/// `apiVersion`/`kind`, decoding (types and required fields), unknown fields, then the semantic
/// rules (Elevation's policy validation; request and approval checks). A request whose policy is
/// among the linted files (same name and namespace) is also checked against it with `decide`.
/// Documents of other API groups (a Deployment beside the policies) are skipped with a warning.
public struct Linter: Sendable {
    /// The time used for the request-against-policy check; the result does not depend on it
    /// except through `autoApprove` and approval timeouts, which lint does not report.
    public var now: Date

    /// A linter deciding at `now`.
    public init(now: Date) { self.now = now }

    /// Lints every file of `paths` (folders recursively). Unreadable paths are collected in
    /// `LintReport.unreadable`, and the other files are still linted.
    public func lint(paths: [String]) -> LintReport {
        var report = LintReport()
        var files: [String] = []
        for path in paths {
            do { files += try ManifestFiles.collect([path]) } catch { report.unreadable.append(error) }
        }
        var sources: [(file: String, text: String)] = []
        for file in files {
            do { sources.append((file, try ManifestFiles.read(file))) } catch { report.unreadable.append(error) }
        }
        report.findings = lint(sources: sources)
        report.filesRead = sources.count
        return report
    }

    /// Lints in-memory sources (file name, text); the cross-document check spans all of them.
    public func lint(sources: [(file: String, text: String)]) -> [LintFinding] {
        var findings: [LintFinding] = []
        var policies: [String: ElevationPolicy] = [:]
        var requests: [(ElevationRequest, YAMLNode)] = []
        for source in sources {
            let roots: [YAMLNode]
            do {
                roots = try YAMLParser().parseDocuments(source.text, file: source.file)
            } catch let error as YAMLError {
                findings.append(finding(error, file: source.file))
                continue
            } catch {
                findings.append(LintFinding(file: source.file, line: 1, column: 1, path: "", message: "\(error)"))
                continue
            }
            for root in roots {
                guard let object = decode(root, into: &findings) else { continue }
                switch object {
                case .policy(let policy):
                    for problem in policy.problems() { findings.append(finding(at: problem.field, in: root, problem.message)) }
                    policies[key(policy.metadata.namespace, policy.metadata.name)] = policy
                case .request(let request) where request.spec.requester.user == IdentityDefaulting.placeholder:
                    let policy = policies[key(request.metadata.namespace, request.spec.policy)]
                    for problem in ManifestChecks.problems(of: request, mesh: policy?.spec.effectiveMesh ?? .istio)
                    where !problem.field.hasPrefix("spec.requester") {
                        findings.append(finding(at: problem.field, in: root, problem.message))
                    }
                case .request(let request):
                    let policy = policies[key(request.metadata.namespace, request.spec.policy)]
                    for problem in ManifestChecks.problems(of: request, mesh: policy?.spec.effectiveMesh ?? .istio) {
                        findings.append(finding(at: problem.field, in: root, problem.message))
                    }
                    requests.append((request, root))
                case .approval(let approval):
                    for problem in ManifestChecks.problems(of: approval)
                    where approval.spec.approver.user != IdentityDefaulting.placeholder || !problem.field.hasPrefix("spec.approver") {
                        findings.append(finding(at: problem.field, in: root, problem.message))
                    }
                }
            }
        }
        // After every file is read, so a request may come before its policy.
        for (request, root) in requests {
            guard let policy = policies[key(request.metadata.namespace, request.spec.policy)],
                policy.problems().isEmpty,
                let denial = ManifestChecks.denial(of: request, under: policy, now: now)
            else { continue }
            findings.append(finding(at: denial.field, in: root, denial.message))
        }
        return findings.sorted { ($0.file, $0.line, $0.column) < ($1.file, $1.line, $1.column) }
    }

    private func key(_ namespace: String?, _ name: String) -> String { "\(namespace ?? "")/\(name)" }

    /// The Elevator object of one document, or nil after recording why it is not one.
    private func decode(_ root: YAMLNode, into findings: inout [LintFinding]) -> ElevationObject? {
        if root.kind == .scalar, (root.scalar ?? "").isEmpty || root.scalar == "null" || root.scalar == "~" {
            return nil  // An empty document (a trailing `---`) is allowed, as kubectl allows it.
        }
        if PolicyTestFile.isTestDocument(root) { return nil }  // `elevator test` reads those.
        guard root.kind == .mapping else {
            findings.append(finding(at: "", in: root, "a manifest must be a mapping with apiVersion, kind, metadata and spec"))
            return nil
        }
        if let apiVersion = root["apiVersion"]?.scalar, !apiVersion.hasPrefix(ElevationAPI.group + "/") {
            let kind = root["kind"]?.scalar ?? "object"
            findings.append(
                finding(at: "", in: root, "\(kind) of \(apiVersion) is not an Elevator object; lint skipped it", severity: .warning))
            return nil
        }
        let object: ElevationObject
        do {
            if let (field, patched) = IdentityDefaulting.patched(root) {
                findings.append(finding(at: field, in: root, IdentityDefaulting.note, severity: .warning))
                object = try JSONValueDecoder().decode(ElevationObject.self, from: patched)
            } else {
                object = try YAMLDecoder().decode(ElevationObject.self, from: root)
            }
        } catch let error as YAMLError {
            findings.append(finding(error, in: root))
            return nil
        } catch {
            findings.append(finding(at: "", in: root, "\(error)"))
            return nil
        }
        if let source = try? root.toJSON(), let decoded = try? encoded(object) {
            for path in UnknownFields.paths(source: source, decoded: decoded) {
                findings.append(
                    finding(
                        atKey: path, in: root,
                        "unknown field; the API server refuses it, so remove it or correct its spelling"))
            }
        }
        return object
    }

    private func encoded(_ object: ElevationObject) throws -> JSONValue {
        switch object {
        case .policy(let policy): return try JSONValueEncoder().encode(policy)
        case .request(let request): return try JSONValueEncoder().encode(request)
        case .approval(let approval): return try JSONValueEncoder().encode(approval)
        }
    }

    private func finding(_ error: YAMLError, file: String) -> LintFinding {
        var path = ""
        if case .decoding(_, let errorPath, _) = error { path = errorPath }
        let mark = error.mark ?? YAMLMark(file: file, line: 1, column: 1)
        return LintFinding(file: mark.file, line: mark.line, column: mark.column, path: path, message: error.message)
    }

    /// A decoding error of `root`; one from JSON decoding has no mark, so its path is located.
    private func finding(_ error: YAMLError, in root: YAMLNode) -> LintFinding {
        if error.mark == nil, case .decoding(_, let path, let message) = error {
            return finding(at: path, in: root, message)
        }
        return finding(error, file: root.file)
    }

    private func finding(at path: String, in root: YAMLNode, _ message: String, severity: LintFinding.Severity = .error)
        -> LintFinding
    {
        let node = path.isEmpty ? root : FieldLocator.locate(path, in: root)
        return LintFinding(file: node.file, line: node.line, column: node.column, path: path, message: message, severity: severity)
    }

    /// A finding at the key of `path` (for unknown fields: the key is what is wrong).
    private func finding(atKey path: String, in root: YAMLNode, _ message: String) -> LintFinding {
        let node = FieldLocator.locateKey(path, in: root)
        return LintFinding(file: node.file, line: node.line, column: node.column, path: path, message: message)
    }
}

/// The outcome of linting paths.
public struct LintReport: Sendable {
    /// Every problem, sorted by file and position.
    public var findings: [LintFinding] = []
    /// Paths that could not be read at all.
    public var unreadable: [CLIError] = []
    /// How many files were read.
    public var filesRead = 0

    /// 2 when a path could not be read, 1 when an error was found, else 0 (warnings do not count).
    public var exitCode: Int32 {
        if !unreadable.isEmpty { return 2 }
        return findings.contains { $0.severity == .error } ? 1 : 0
    }
}
