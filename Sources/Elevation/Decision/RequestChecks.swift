import Foundation

/// A request that passed every check against its policy, with its defaults applied.
struct CheckedRequest {
    var duration: GoDuration
    var rules: [AccessRule]
    /// The end of the grant this request extends; the new window starts there.
    var extendsUntil: Date?
}

/// The checks of API.md "Denied" that depend on the request and its policy, in a fixed order so
/// that a request with several problems always gets the same (first) reason.
struct RequestChecks {
    let request: ElevationRequest
    let policy: ElevationPolicy
    let activeGrants: [ElevationRequest]

    /// The validity checks that do not depend on other grants.
    func validate() -> Result<CheckedRequest, Denial> {
        let spec = request.spec
        let policySpec = policy.spec
        let policyName = policy.metadata.name
        if policySpec.suspended == true {
            return .failure(Denial(.policySuspended, "ElevationPolicy \(policyName) is suspended: it grants nothing now"))
        }
        if let requesters = policySpec.requesters, !requesters.includes(spec.requester) {
            let groups = (spec.requester.groups ?? []).joined(separator: ", ")
            return .failure(
                Denial(
                    .requesterNotAllowed,
                    "\(spec.requester.user)\(groups.isEmpty ? "" : " (groups \(groups))") is not among the requesters of "
                        + "ElevationPolicy \(policyName) (users: \(list(requesters.users)); groups: \(list(requesters.groups)))"))
        }
        if let problem = spec.subject.problem(allowWildcardName: false) {
            return .failure(Denial(.subjectNotAllowed, "spec.subject: \(problem)"))
        }
        if spec.subject.requestPrincipal != nil, policySpec.effectiveMesh != .istio {
            return .failure(Denial(.subjectNotAllowed, "spec.subject.requestPrincipal is for mesh istio only"))
        }
        if !policySpec.subjects.contains(where: { spec.subject.isInside($0) }) {
            return .failure(
                Denial(
                    .subjectNotAllowed,
                    "spec.subject \(spec.subject.display) is not among the subjects of ElevationPolicy \(policyName) "
                        + "(\(policySpec.subjects.map(\.display).joined(separator: ", ")))"))
        }
        let rules = spec.rules ?? policySpec.rules
        if rules.isEmpty {
            return .failure(Denial(.ruleNotAllowed, "spec.rules is empty: omit it to ask for all of the policy's rules"))
        }
        for (index, rule) in (spec.rules ?? []).enumerated() {
            if let problem = rule.problems(field: "spec.rules[\(index)]").first {
                return .failure(Denial(.ruleNotAllowed, problem.display))
            }
            if !policySpec.rules.contains(where: { rule.isInside($0) }) {
                return .failure(
                    Denial(
                        .ruleNotAllowed,
                        "spec.rules[\(index)] (\(rule.display)) lies inside no rule of ElevationPolicy \(policyName) "
                            + "(\(policySpec.rules.map(\.display).joined(separator: "; ")))"))
            }
        }
        let durationText = spec.duration ?? policySpec.effectiveDefaultDuration
        let durationField = spec.duration == nil ? "the policy's defaultDuration" : "spec.duration"
        let duration: GoDuration
        do { duration = try GoDuration.parse(durationText) } catch {
            return .failure(Denial(.invalidDuration, "\(durationField): \(error.description)"))
        }
        guard duration.nanoseconds > 0 else {
            return .failure(Denial(.invalidDuration, "\(durationField) \(durationText) must be longer than 0s"))
        }
        let (limitText, limitName) =
            spec.breakGlass == true
            ? (policySpec.breakGlass?.maxDuration ?? policySpec.effectiveMaxDuration, "breakGlass.maxDuration")
            : (policySpec.effectiveMaxDuration, "maxDuration")
        if let limit = try? GoDuration.parse(limitText), duration > limit {
            return .failure(
                Denial(
                    .durationTooLong,
                    "\(durationField) \(durationText) is longer than the \(limitName) \(limitText) of ElevationPolicy \(policyName)"))
        }
        if policySpec.requireReason == true, (spec.reason ?? "").allSatisfy(\.isWhitespace) {
            return .failure(Denial(.reasonRequired, "spec.reason is empty but ElevationPolicy \(policyName) requires a reason"))
        }
        if spec.breakGlass == true, policySpec.breakGlass?.allowed != true {
            return .failure(
                Denial(.breakGlassNotAllowed, "spec.breakGlass is true but ElevationPolicy \(policyName) does not allow break-glass"))
        }
        var extendsUntil: Date?
        if let extends = spec.extends {
            guard
                let old = activeGrants.first(where: {
                    $0.metadata.name == extends && $0.phase == .active && $0.metadata.uid != request.metadata.uid
                })
            else {
                return .failure(Denial(.extendsInvalid, "spec.extends names \(extends), which is not an Active request in this namespace"))
            }
            guard old.spec.subject == spec.subject, (old.spec.rules ?? policySpec.rules) == rules, old.spec.policy == spec.policy
            else {
                return .failure(
                    Denial(
                        .extendsInvalid,
                        "spec.extends names \(extends), whose policy, subject or rules differ from this request's; "
                            + "an extension continues the same grant"))
            }
            extendsUntil = old.status?.expiresAt
        }
        return .success(CheckedRequest(duration: duration, rules: rules, extendsUntil: extendsUntil))
    }

    /// The limits on concurrent grants, checked when granting. The request being extended does
    /// not count: it ends where the extension starts.
    func checkLimits() -> Denial? {
        let others = activeGrants.filter {
            $0.phase == .active && $0.spec.policy == policy.metadata.name && $0.metadata.uid != request.metadata.uid
                && $0.metadata.name != request.spec.extends
        }
        if let limit = policy.spec.maxActiveGrants, limit > 0, others.count >= limit {
            return Denial(
                .maxActiveGrants,
                "ElevationPolicy \(policy.metadata.name) already has \(others.count) active grants; its maxActiveGrants is \(limit)")
        }
        let mine = others.filter { $0.spec.requester.user == request.spec.requester.user }
        if let limit = policy.spec.maxActivePerRequester, limit > 0, mine.count >= limit {
            return Denial(
                .maxActivePerRequester,
                "\(request.spec.requester.user) already has \(mine.count) active grants under ElevationPolicy "
                    + "\(policy.metadata.name); its maxActivePerRequester is \(limit)")
        }
        return nil
    }

    /// Whether the policy's `autoApprove` admits this request (all of its set conditions hold).
    func isAutoApproved(duration: GoDuration) -> Bool {
        guard let auto = policy.spec.approval?.autoApprove else { return false }
        if let maxText = auto.maxDuration {
            guard let max = try? GoDuration.parse(maxText), duration <= max else { return false }
        }
        if let pattern = auto.reasonPattern {
            guard let regex = try? ReasonPatterns.shared.regex(pattern), (request.spec.reason ?? "").contains(regex) else { return false }
        }
        return true
    }

    private func list(_ values: [String]?) -> String {
        let values = values ?? []
        return values.isEmpty ? "none" : values.joined(separator: ", ")
    }
}
