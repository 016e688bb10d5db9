/// One thing wrong with a policy that the CRD schema could not say, with the field it is about.
public struct PolicyProblem: Hashable, Sendable {
    /// The `Ready=False` reason (`InvalidDuration`, `InvalidPath`, `UnsupportedRule`, ...).
    public var reason: String
    /// The field path, e.g. `spec.rules[0].paths[1]`.
    public var field: String
    /// What is wrong and what to write instead.
    public var message: String

    /// `field: message`, as lint and the `Ready` condition print it.
    public var display: String { "\(field): \(message)" }
}

extension ElevationPolicy {
    /// Every problem of this policy's spec beyond the CRD schema, in field order; empty when valid.
    ///
    /// Covers the API.md "Rules of validity": durations parse, are positive and
    /// `defaultDuration <= maxDuration`; exactly one target form fitting the mesh; Istio path
    /// forms; HTTP methods; ports 1-65535; well-formed, non-empty subjects; mesh-specific fields;
    /// Linkerd rules with ports only; `reasonPattern` compiles; approval stages can be met.
    public func problems() -> [PolicyProblem] {
        var problems: [PolicyProblem] = []
        func add(_ reason: String, _ field: String, _ message: String) {
            problems.append(PolicyProblem(reason: reason, field: field, message: message))
        }
        let mesh = spec.effectiveMesh
        let target = spec.target
        let forms = [target.workloadSelector != nil, target.targetRefs != nil, target.linkerdServer != nil]
        if forms.filter({ $0 }).count != 1 {
            add("InvalidTarget", "spec.target", "set exactly one of workloadSelector, targetRefs and linkerdServer")
        } else if let selector = target.workloadSelector, (selector.matchLabels ?? [:]).isEmpty {
            add("InvalidTarget", "spec.target.workloadSelector.matchLabels",
                "must name at least one label; a grant for every workload of the namespace is not allowed")
        } else if let refs = target.targetRefs, refs.isEmpty {
            add("InvalidTarget", "spec.target.targetRefs", "must name at least one Service or Gateway")
        }
        switch mesh {
        case .istio:
            if target.linkerdServer != nil {
                add("MeshMismatch", "spec.target.linkerdServer", "is for mesh linkerd only; this policy's mesh is istio")
            }
        case .linkerd:
            if target.linkerdServer == nil {
                add("MeshMismatch", "spec.target.linkerdServer", "is required with mesh linkerd: name an existing Server")
            }
            if target.targetRefs != nil {
                add("MeshMismatch", "spec.target.targetRefs", "is for mesh istio only; use linkerdServer with linkerd")
            }
            if target.workloadSelector != nil {
                add("MeshMismatch", "spec.target.workloadSelector", "is for mesh istio only; use linkerdServer with linkerd")
            }
        }
        if spec.subjects.isEmpty { add("NoSubjects", "spec.subjects", "must list at least one subject") }
        for (index, subject) in spec.subjects.enumerated() {
            if let problem = subject.problem(allowWildcardName: true) {
                add("InvalidSubject", "spec.subjects[\(index)]", problem)
            } else if subject.requestPrincipal != nil, mesh == .linkerd {
                add("MeshMismatch", "spec.subjects[\(index)].requestPrincipal",
                    "is for mesh istio only; Linkerd authorizes service accounts")
            }
        }
        if spec.rules.isEmpty { add("NoRules", "spec.rules", "must list at least one rule") }
        for (index, rule) in spec.rules.enumerated() {
            for problem in rule.problems(field: "spec.rules[\(index)]") {
                add(problem.reason, problem.field, problem.message)
            }
            if mesh == .linkerd, !(rule.methods ?? []).isEmpty || !(rule.paths ?? []).isEmpty {
                add("UnsupportedRule", "spec.rules[\(index)]",
                    "a Linkerd Server target can only be limited by ports; remove methods and paths")
            }
        }
        problems += durationProblems()
        if let pattern = spec.approval?.autoApprove?.reasonPattern {
            do {
                _ = try ReasonPatterns.shared.regex(pattern)
                if let group = BacktrackingRisk.riskyGroup(in: pattern) {
                    add("InvalidReasonPattern", "spec.approval.autoApprove.reasonPattern",
                        "\"\(pattern)\" repeats the group \(group), which itself repeats or alternates; a crafted reason "
                            + "would take exponential time to match and stall the controller; repeat only single characters "
                            + "or classes, like ^INC-[0-9]+")
                }
            } catch {
                add("InvalidReasonPattern", "spec.approval.autoApprove.reasonPattern",
                    "\"\(pattern)\" is not a regular expression: \(error)")
            }
        }
        var stageNames = Set<String>()
        for (index, stage) in (spec.approval?.stages ?? []).enumerated() {
            let field = "spec.approval.stages[\(index)]"
            if !stageNames.insert(stage.name).inserted {
                add("InvalidStage", "\(field).name", "\"\(stage.name)\" is used by an earlier stage; names must differ")
            }
            if (stage.users ?? []).isEmpty, (stage.groups ?? []).isEmpty {
                add("InvalidStage", field, "names no users and no groups, so nobody could approve")
            }
            if stage.effectiveRequired < 1 {
                add("InvalidStage", "\(field).required", "is \(stage.effectiveRequired); it must be at least 1")
            } else if (stage.groups ?? []).isEmpty, stage.effectiveRequired > Set(stage.users ?? []).count {
                add("InvalidStage", "\(field).required",
                    "is \(stage.effectiveRequired) but the stage lists only \(Set(stage.users ?? []).count) users and no groups")
            }
        }
        return problems
    }

    private func durationProblems() -> [PolicyProblem] {
        var problems: [PolicyProblem] = []
        func parsed(_ text: String?, _ field: String) -> GoDuration? {
            guard let text else { return nil }
            do {
                let duration = try GoDuration.parse(text)
                guard duration.nanoseconds > 0 else {
                    problems.append(PolicyProblem(reason: "InvalidDuration", field: field, message: "\"\(text)\" must be longer than 0s"))
                    return nil
                }
                return duration
            } catch {
                problems.append(PolicyProblem(reason: "InvalidDuration", field: field, message: error.description))
                return nil
            }
        }
        let defaultDuration = parsed(spec.effectiveDefaultDuration, "spec.defaultDuration")
        let maxDuration = parsed(spec.effectiveMaxDuration, "spec.maxDuration")
        _ = parsed(spec.approval?.timeout, "spec.approval.timeout")
        _ = parsed(spec.approval?.autoApprove?.maxDuration, "spec.approval.autoApprove.maxDuration")
        _ = parsed(spec.breakGlass?.maxDuration, "spec.breakGlass.maxDuration")
        if let defaultDuration, let maxDuration, defaultDuration > maxDuration {
            problems.append(
                PolicyProblem(
                    reason: "InvalidDuration", field: "spec.defaultDuration",
                    message: "\(spec.effectiveDefaultDuration) is longer than spec.maxDuration \(spec.effectiveMaxDuration)"))
        }
        return problems
    }
}

extension AccessRule {
    /// Problems of this rule's values (paths, methods, ports), with `field` as the path prefix.
    func problems(field: String) -> [PolicyProblem] {
        var problems: [PolicyProblem] = []
        for (index, path) in (paths ?? []).enumerated() {
            let templated = path.containsASCII("{") || path.containsASCII("}")
            if PathPattern(parsing: path) == nil || !(path.hasPrefix("/") || path.hasPrefix("*")) || templated {
                problems.append(
                    PolicyProblem(
                        reason: "InvalidPath", field: "\(field).paths[\(index)]",
                        message: "\"\(path)\" is not an Istio path form: write /exact, /prefix/*, */suffix or *"))
            }
        }
        for (index, method) in (methods ?? []).enumerated() where !AccessRule.httpMethods.contains(method) {
            problems.append(
                PolicyProblem(
                    reason: "InvalidMethod", field: "\(field).methods[\(index)]",
                    message: "\"\(method)\" is not an HTTP method: use one of \(AccessRule.httpMethods.sorted().joined(separator: ", "))"))
        }
        for (index, port) in (ports ?? []).enumerated() {
            if port.isEmpty || !port.allSatisfy({ $0.isASCII && $0.isNumber }) || port.hasPrefix("0")
                || (Int(port) ?? 0) > 65535
            {
                problems.append(
                    PolicyProblem(
                        reason: "InvalidPort", field: "\(field).ports[\(index)]",
                        message: "\"\(port)\" is not a port: write a number from 1 to 65535"))
            }
        }
        return problems
    }
}

extension Subject {
    /// What is wrong with this subject, or nil. `allowWildcardName` permits `name: "*"` (policies).
    func problem(allowWildcardName: Bool) -> String? {
        switch (serviceAccount, requestPrincipal) {
        case (let account?, nil):
            if !Self.isDNSLabel(account.namespace) {
                return "serviceAccount.namespace \"\(account.namespace)\" is not a namespace name"
            }
            if account.name == "*" { return allowWildcardName ? nil : "serviceAccount.name \"*\" is only for policies; name one account" }
            if !Self.isDNSSubdomain(account.name) {
                return "serviceAccount.name \"\(account.name)\" is not a service account name (or * for any)"
            }
            return nil
        case (nil, let principal?):
            if PathPattern(parsing: principal) == nil {
                return "requestPrincipal \"\(principal)\" may use * only at its start or end, as in https://idp.example.com/*"
            }
            return nil
        default:
            return "set exactly one of serviceAccount and requestPrincipal"
        }
    }

    static func isDNSLabel(_ text: String) -> Bool {
        text.count <= 63 && isDNSSubdomain(text) && !text.containsASCII(".")
    }

    static func isDNSSubdomain(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 253 else { return false }
        let bytes = Array(text.utf8)
        func alnum(_ byte: UInt8) -> Bool { (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) }
        guard let first = bytes.first, let last = bytes.last, alnum(first), alnum(last) else { return false }
        for (index, byte) in bytes.enumerated() where !alnum(byte) {
            guard byte == 45 || byte == 46 else { return false }
            if byte == 46, !alnum(bytes[index - 1]) || !alnum(bytes[index + 1]) { return false }
        }
        return true
    }
}
