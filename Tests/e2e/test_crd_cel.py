"""Every CEL rule of Elevator's CRDs, evaluated with a real CEL engine over good and bad objects,
on create and on update (transition rules see oldSelf), plus the OpenAPI schema over the same."""

import copy

import pytest

import crdcheck

CRDS = crdcheck.ROOT / "manifests" / "crds"
SAMPLES = crdcheck.ROOT / "manifests" / "samples"
POLICY = crdcheck.crd_schema(CRDS / "elevationpolicies.yaml")
REQUEST = crdcheck.crd_schema(CRDS / "elevationrequests.yaml")
APPROVAL = crdcheck.crd_schema(CRDS / "elevationapprovals.yaml")


def sample(name):
    (doc,) = crdcheck.load_yaml_documents(SAMPLES / name)
    return doc


def changed(obj, edit):
    obj = copy.deepcopy(obj)
    edit(obj)
    return obj


def test_samples_are_admitted():
    assert crdcheck.admit(POLICY, sample("policy.yaml")) == []
    assert crdcheck.admit(REQUEST, sample("request.yaml")) == []
    assert crdcheck.admit(APPROVAL, sample("approval.yaml")) == []


def spec_set(**fields):
    def edit(obj):
        obj["spec"].update(fields)
    return edit


def target(value):
    def edit(obj):
        obj["spec"]["target"] = value
    return edit


LINKERD = {"mesh": "linkerd", "target": {"linkerdServer": "payments-http"},
           "subjects": [{"serviceAccount": {"namespace": "tools", "name": "debugger"}}],
           "rules": [{"ports": ["8080"]}]}

POLICY_CASES = [
    ("default longer than max", spec_set(defaultDuration="2h", maxDuration="1h"),
     "defaultDuration must not be longer than maxDuration"),
    ("default longer than defaulted max", lambda o: (o["spec"].pop("maxDuration"), o["spec"].update(defaultDuration="90m")),
     "defaultDuration must not be longer than maxDuration"),
    ("two target forms", target({"workloadSelector": {"matchLabels": {"app": "x"}}, "targetRefs": [{"kind": "Service", "name": "x"}]}),
     "set exactly one of workloadSelector, targetRefs and linkerdServer"),
    ("no target form", target({}), "set exactly one of workloadSelector, targetRefs and linkerdServer"),
    ("linkerd without a Server", spec_set(mesh="linkerd", subjects=LINKERD["subjects"], rules=LINKERD["rules"]),
     "target.linkerdServer is required with mesh linkerd and only allowed with it"),
    ("istio with a Server", target({"linkerdServer": "payments-http"}),
     "target.linkerdServer is required with mesh linkerd and only allowed with it"),
    ("linkerd with targetRefs", spec_set(**{**LINKERD, "target": {"targetRefs": [{"kind": "Service", "name": "x"}]}}),
     "target.targetRefs is for mesh istio only"),
    ("linkerd with a JWT subject", spec_set(**{**LINKERD, "subjects": [{"requestPrincipal": "https://idp/*"}]}),
     "requestPrincipal subjects are for mesh istio only"),
    ("linkerd rule with paths", spec_set(**{**LINKERD, "rules": [{"ports": ["8080"], "paths": ["/x"]}]}),
     "with mesh linkerd, rules may carry ports only"),
    ("subject with both forms", spec_set(subjects=[{"serviceAccount": {"namespace": "a", "name": "b"}, "requestPrincipal": "x"}]),
     "set exactly one of serviceAccount and requestPrincipal"),
    ("subject with no form", spec_set(subjects=[{}]), "set exactly one of serviceAccount and requestPrincipal"),
    ("stage with nobody", lambda o: o["spec"]["approval"]["stages"].append({"name": "empty"}),
     "a stage must name users or groups"),
    ("wildcard label key", target({"workloadSelector": {"matchLabels": {"app*": "x"}}}), "contain no *"),
]


@pytest.mark.parametrize("name,edit,message", POLICY_CASES, ids=[c[0] for c in POLICY_CASES])
def test_policy_rules_reject_bad_objects(name, edit, message):
    errors = crdcheck.admit(POLICY, changed(sample("policy.yaml"), edit))
    assert any(message in error for error in errors), errors


def test_good_linkerd_policy_is_admitted():
    policy = changed(sample("policy.yaml"), spec_set(**LINKERD))
    for key in ("approval", "breakGlass", "requesters"):
        policy["spec"].pop(key)
    assert crdcheck.admit(POLICY, policy) == []


SCHEMA_CASES = [
    ("bad path form", lambda o: o["spec"]["rules"][0].update(paths=["/a*b"]), "spec/rules/0/paths/0"),
    ("path template", lambda o: o["spec"]["rules"][0].update(paths=["/a/{*}"]), "spec/rules/0/paths/0"),
    ("port zero", lambda o: o["spec"]["rules"][0].update(ports=["0"]), "spec/rules/0/ports/0"),
    ("port too big", lambda o: o["spec"]["rules"][0].update(ports=["65536"]), "spec/rules/0/ports/0"),
    ("lower-case method", lambda o: o["spec"]["rules"][0].update(methods=["get"]), "spec/rules/0/methods/0"),
    ("day duration", spec_set(maxDuration="1d"), "spec/maxDuration"),
    ("no subjects", spec_set(subjects=[]), "spec/subjects"),
    ("too many subjects", spec_set(subjects=[{"serviceAccount": {"namespace": "a", "name": "b"}}] * 65), "spec/subjects"),
    ("unknown mesh", spec_set(mesh="consul"), "spec/mesh"),
    ("negative limit", spec_set(maxActiveGrants=-1), "spec/maxActiveGrants"),
]


@pytest.mark.parametrize("name,edit,where", SCHEMA_CASES, ids=[c[0] for c in SCHEMA_CASES])
def test_policy_schema_rejects_bad_values(name, edit, where):
    errors = crdcheck.schema_errors(POLICY, crdcheck.apply_defaults(POLICY, changed(sample("policy.yaml"), edit)))
    assert any(error.startswith(where) for error in errors), errors


IMMUTABLE = "an ElevationRequest cannot change after creation"
REQUEST_UPDATES = [
    ("unchanged", lambda o: None, None),
    ("revoking", spec_set(revoked=True), None),
    ("revoking with revoked absent before", spec_set(revoked=True), None),
    ("un-revoking", None, "spec.revoked cannot go back from true to false"),
    ("longer duration", spec_set(duration="1h"), IMMUTABLE),
    ("other subject", spec_set(subject={"serviceAccount": {"namespace": "tools", "name": "other"}}), IMMUTABLE),
    ("other requester", spec_set(requester={"user": "mallory@example.com"}), IMMUTABLE),
    ("added extends", spec_set(extends="inc-1"), IMMUTABLE),
    ("dropped reason", lambda o: o["spec"].pop("reason"), IMMUTABLE),
    ("dropped rules", lambda o: o["spec"].pop("rules"), IMMUTABLE),
    ("wider rules", lambda o: o["spec"]["rules"][0].update(methods=["GET", "POST"]), IMMUTABLE),
    ("break-glass turned on", spec_set(breakGlass=True), IMMUTABLE),
    ("other policy", spec_set(policy="other"), IMMUTABLE),
]


@pytest.mark.parametrize("name,edit,message", REQUEST_UPDATES, ids=[c[0] for c in REQUEST_UPDATES])
def test_request_spec_is_immutable_except_revocation(name, edit, message):
    old = sample("request.yaml")
    if name == "revoking with revoked absent before":
        old["spec"].pop("revoked")
    if edit is None:  # un-revoking: old was revoked, new is not
        old = changed(old, spec_set(revoked=True))
        new = changed(old, spec_set(revoked=False))
    else:
        new = changed(old, edit)
    errors = crdcheck.admit(REQUEST, new, old)
    if message is None:
        assert errors == []
    else:
        assert any(message in error for error in errors), errors


def test_request_subject_needs_one_concrete_form():
    both = changed(sample("request.yaml"), spec_set(subject={"serviceAccount": {"namespace": "a", "name": "b"}, "requestPrincipal": "c"}))
    assert any("exactly one of serviceAccount and requestPrincipal" in e for e in crdcheck.admit(REQUEST, both))
    wildcard = changed(sample("request.yaml"), spec_set(subject={"serviceAccount": {"namespace": "ops", "name": "*"}}))
    assert any(e.startswith("spec/subject/serviceAccount/name") for e in crdcheck.admit(REQUEST, wildcard))


def test_transition_rules_do_not_run_on_create():
    revoked = changed(sample("request.yaml"), spec_set(revoked=True))
    assert crdcheck.admit(REQUEST, revoked) == []


@pytest.mark.parametrize("edit", [spec_set(decision="Deny"), spec_set(requestUID="other"), spec_set(comment="edited"),
                                  lambda o: o["spec"].pop("comment")])
def test_approvals_are_immutable(edit):
    old = sample("approval.yaml")
    errors = crdcheck.admit(APPROVAL, changed(old, edit), old)
    assert any("an ElevationApproval cannot change" in e for e in errors), errors
    assert crdcheck.admit(APPROVAL, copy.deepcopy(old), old) == []


def test_every_rule_is_exercised_by_a_failing_case():
    """Each CEL rule rejected at least one object above, so none is dead or untested."""
    failing = set()
    policy = sample("policy.yaml")
    for _, edit, _ in POLICY_CASES:
        obj = crdcheck.apply_defaults(POLICY, changed(policy, edit))
        failing |= {rule for _, rule, _, ok in crdcheck.cel_results(POLICY, obj) if not ok}
    request = sample("request.yaml")
    for update in (spec_set(duration="1h"),):
        new = crdcheck.apply_defaults(REQUEST, changed(request, update))
        failing |= {r for _, r, _, ok in crdcheck.cel_results(REQUEST, new, crdcheck.apply_defaults(REQUEST, request)) if not ok}
    revoked = crdcheck.apply_defaults(REQUEST, changed(request, spec_set(revoked=True)))
    unrevoked = crdcheck.apply_defaults(REQUEST, request)
    failing |= {r for _, r, _, ok in crdcheck.cel_results(REQUEST, unrevoked, revoked) if not ok}
    both = crdcheck.apply_defaults(REQUEST, changed(request, spec_set(subject={})))
    failing |= {r for _, r, _, ok in crdcheck.cel_results(REQUEST, both) if not ok}
    approval = sample("approval.yaml")
    failing |= {r for _, r, _, ok in crdcheck.cel_results(APPROVAL, changed(approval, spec_set(decision="Deny")), approval) if not ok}
    every = set(crdcheck.all_rules(POLICY) + crdcheck.all_rules(REQUEST) + crdcheck.all_rules(APPROVAL))
    assert every - failing == set()
