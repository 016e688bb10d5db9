"""Every CEL expression of Elevator's admission policies (manifests/admission/), evaluated with a
real CEL engine (cel-expr-python, Google's cel-cpp) over a table of admission requests, the way
kube-apiserver runs them: matchConstraints pick the requests, matchConditions gate a policy,
`variables` are computed first, then each validation; a failing validation's messageExpression
is what the caller reads. Mutating policies' apply configurations are evaluated and merged into
the object, and the result must then pass the validating policies.

What cel-expr-python lacks is Kubernetes' typed object construction (`Object.spec{...}`) used
by apply configurations; `lower_apply_configuration` rewrites it to the equivalent CEL map
literal, and nothing else in the expressions is changed.
"""
import copy
import pathlib
import re

import pytest
import yaml
from cel_expr_python import cel
from cel_expr_python.ext import ext_strings

ADMISSION = pathlib.Path(__file__).resolve().parents[2] / "manifests" / "admission"
ENV = cel.NewEnv(
    variables={name: cel.Type.DYN for name in ("object", "oldObject", "request", "variables", "params")},
    extensions=[ext_strings.ExtStrings()])


def documents(name):
    return [doc for doc in yaml.safe_load_all((ADMISSION / name).read_text()) if doc]


VALIDATING = [d for d in documents("validating.yaml") if d["kind"] == "ValidatingAdmissionPolicy"]
MUTATING = [d for d in documents("mutating.yaml") if d["kind"] == "MutatingAdmissionPolicy"]


def evaluate(expression, activation):
    value = ENV.compile(expression).eval(data=activation)
    if value.type().name() == "ERROR":
        raise AssertionError(f"CEL error in {expression!r}: {value.plain_value()}")
    return value.plain_value()


def admission_request(user, groups, obj, resource, operation="CREATE", old=None):
    """The variables kube-apiserver hands a policy for one request."""
    user_info = {"username": user}
    if groups:
        user_info["groups"] = list(groups)
    return {
        "object": obj, "oldObject": old,
        "request": {"operation": operation, "userInfo": user_info, "namespace": obj["metadata"]["namespace"],
                    "resource": {"group": "elevator.dev", "version": "v1alpha1", "resource": resource}},
    }


def matches(policy, activation):
    """matchConstraints (resource and operation), then every matchCondition."""
    request = activation["request"]
    rules = policy["spec"]["matchConstraints"]["resourceRules"]
    if not any(request["resource"]["group"] in rule["apiGroups"] and request["resource"]["resource"] in rule["resources"]
               and (request["operation"] in rule["operations"] or "*" in rule["operations"]) for rule in rules):
        return False
    return all(evaluate(c["expression"], with_variables(policy, activation)) is True
               for c in policy["spec"].get("matchConditions", []))


def with_variables(policy, activation):
    computed = {}
    full = dict(activation, variables=computed)
    for variable in policy["spec"].get("variables", []):
        computed[variable["name"]] = evaluate(variable["expression"], full)
    return full


def admit(activation):
    """Runs every validating policy that matches; returns the messages of the failed validations."""
    messages = []
    for policy in VALIDATING:
        if not matches(policy, activation):
            continue
        full = with_variables(policy, activation)
        for validation in policy["spec"]["validations"]:
            if evaluate(validation["expression"], full) is not True:
                messages.append(evaluate(validation["messageExpression"], full))
    return messages


def lower_apply_configuration(expression):
    """`Object{a: x, b: Object.b{c: y}}` -> `{"a": x, "b": {"c": y}}` (CEL map literals)."""
    lowered = re.sub(r"Object(?:\.\w+)*\{", "{", expression)
    return re.sub(r"([{,]\s*)([A-Za-z_]\w*)\s*:", r'\1"\2":', lowered)


def merge(target, patch):
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def mutate(activation):
    """Runs every mutating policy that matches; returns the mutated object."""
    obj = copy.deepcopy(activation["object"])
    for policy in MUTATING:
        current = dict(activation, object=obj)
        if not matches(policy, current):
            continue
        full = with_variables(policy, current)
        for mutation in policy["spec"]["mutations"]:
            assert mutation["patchType"] == "ApplyConfiguration"
            merge(obj, evaluate(lower_apply_configuration(mutation["applyConfiguration"]["expression"]), full))
    return obj


def request_object(requester=None):
    spec = {"policy": "payments-debug", "subject": {"serviceAccount": {"namespace": "tools", "name": "debugger"}},
            "duration": "10m", "reason": "INC-1234 stuck payouts"}
    if requester is not None:
        spec["requester"] = requester
    return {"apiVersion": "elevator.dev/v1alpha1", "kind": "ElevationRequest",
            "metadata": {"name": "inc-1234-debug", "namespace": "payments"}, "spec": spec}


def approval_object(approver=None):
    spec = {"request": "inc-1234-debug", "requestUID": "6f1c0d4e-0000-4000-8000-000000000001", "decision": "Approve"}
    if approver is not None:
        spec["approver"] = approver
    return {"apiVersion": "elevator.dev/v1alpha1", "kind": "ElevationApproval",
            "metadata": {"name": "inc-1234-debug-bob", "namespace": "payments"}, "spec": spec}


ALICE = ("alice@example.com", ["payments-oncall", "system:authenticated"])
BOB = ("bob@example.com", ["payments-oncall", "security", "system:authenticated"])
ROBOT = ("system:serviceaccount:ci:deployer", ["system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"])

# (case, caller, object, resource, operation, expected fragments of the refusal or [] for admitted)
CASES = [
    ("requester is the caller", ALICE, request_object({"user": "alice@example.com", "groups": ["payments-oncall"]}),
     "elevationrequests", "CREATE", []),
    ("requester without groups", ALICE, request_object({"user": "alice@example.com"}), "elevationrequests", "CREATE", []),
    ("service account requester", ROBOT, request_object({"user": ROBOT[0], "groups": ["system:serviceaccounts:ci"]}),
     "elevationrequests", "CREATE", []),
    ("spoofed requester", ALICE, request_object({"user": "bob@example.com"}), "elevationrequests", "CREATE",
     ["spec.requester.user", "set it to 'alice@example.com'", "instead of 'bob@example.com'"]),
    ("requester differs in case only", ALICE, request_object({"user": "Alice@example.com"}), "elevationrequests", "CREATE",
     ["set it to 'alice@example.com'"]),
    ("spoofed requester group", ALICE, request_object({"user": "alice@example.com", "groups": ["payments-oncall", "security"]}),
     "elevationrequests", "CREATE",
     ["spec.requester.groups", "remove 'security'", "your groups are 'payments-oncall', 'system:authenticated'"]),
    ("group claimed by a caller with none", ("carol@example.com", []), request_object({"user": "carol@example.com", "groups": ["admins"]}),
     "elevationrequests", "CREATE", ["remove 'admins'", "your groups are none"]),
    ("spoofed user and group", ALICE, request_object({"user": "bob@example.com", "groups": ["security"]}),
     "elevationrequests", "CREATE", ["set it to 'alice@example.com'", "remove 'security'"]),
    ("revoke by someone else is an UPDATE, not checked", BOB, request_object({"user": "alice@example.com"}),
     "elevationrequests", "UPDATE", []),
    ("approver is the caller", BOB, approval_object({"user": "bob@example.com", "groups": ["security"]}),
     "elevationapprovals", "CREATE", []),
    ("spoofed approver", ALICE, approval_object({"user": "bob@example.com", "groups": ["payments-oncall"]}),
     "elevationapprovals", "CREATE", ["spec.approver.user", "set it to 'alice@example.com'", "instead of 'bob@example.com'"]),
    ("spoofed approver group", ALICE, approval_object({"user": "alice@example.com", "groups": ["security", "sre"]}),
     "elevationapprovals", "CREATE", ["spec.approver.groups", "remove 'security', 'sre'", "'payments-oncall'"]),
]


@pytest.mark.parametrize("case,caller,obj,resource,operation,expected", CASES, ids=[c[0] for c in CASES])
def test_validating_policies(case, caller, obj, resource, operation, expected):
    activation = admission_request(*caller, obj, resource, operation, old=obj if operation == "UPDATE" else None)
    messages = admit(activation)
    if not expected:
        assert messages == []
    else:
        text = " | ".join(messages)
        assert messages, f"{case}: admitted but should be refused"
        for fragment in expected:
            assert fragment in text, f"{fragment!r} not in {text!r}"


def test_every_validation_has_a_message_naming_the_field():
    for policy in VALIDATING:
        for validation in policy["spec"]["validations"]:
            assert "messageExpression" in validation and validation.get("reason") == "Forbidden"
    assert {p["metadata"]["name"] for p in VALIDATING} == {"elevator-requester-identity", "elevator-approver-identity"}


def test_every_policy_has_a_binding_that_denies():
    for name, kind in (("validating.yaml", "ValidatingAdmissionPolicy"), ("mutating.yaml", "MutatingAdmissionPolicy")):
        docs = documents(name)
        policies = {d["metadata"]["name"] for d in docs if d["kind"] == kind}
        bindings = {d["spec"]["policyName"]: d for d in docs if d["kind"] == kind + "Binding"}
        assert policies == set(bindings)
        if kind == "ValidatingAdmissionPolicy":
            assert all(b["spec"]["validationActions"] == ["Deny"] for b in bindings.values())
    assert all(p["spec"]["failurePolicy"] == "Fail" for p in VALIDATING + MUTATING)


FILL_CASES = [
    ("request", ALICE, request_object(), "elevationrequests", "requester",
     {"user": "alice@example.com", "groups": ["payments-oncall"]}),
    ("request by a service account", ROBOT, request_object(), "elevationrequests", "requester",
     {"user": ROBOT[0], "groups": []}),
    ("approval", BOB, approval_object(), "elevationapprovals", "approver",
     {"user": "bob@example.com", "groups": ["payments-oncall", "security"]}),
]


@pytest.mark.parametrize("case,caller,obj,resource,field,filled", FILL_CASES, ids=[c[0] for c in FILL_CASES])
def test_mutating_policies_fill_the_identity_and_the_result_is_admitted(case, caller, obj, resource, field, filled):
    activation = admission_request(*caller, obj, resource)
    mutated = mutate(activation)
    assert mutated["spec"][field] == filled
    other_fields = {k: v for k, v in mutated["spec"].items() if k != field}
    assert other_fields == obj["spec"], "the mutation must change nothing but the identity"
    assert admit(dict(activation, object=mutated)) == []


def test_mutating_policies_leave_a_typed_identity_alone_so_validation_judges_it():
    activation = admission_request(*ALICE, request_object({"user": "bob@example.com"}), "elevationrequests")
    mutated = mutate(activation)
    assert mutated["spec"]["requester"] == {"user": "bob@example.com"}
    assert any("set it to 'alice@example.com'" in m for m in admit(dict(activation, object=mutated)))


def test_mutating_policies_ignore_updates():
    activation = admission_request(*ALICE, request_object(), "elevationrequests", "UPDATE", old=request_object())
    assert mutate(activation) == request_object()


def test_lowering_only_rewrites_object_construction():
    assert lower_apply_configuration("Object{spec: Object.spec{a: x.y, b: ['s:t']}}") == \
        '{"spec": {"a": x.y, "b": [\'s:t\']}}'
