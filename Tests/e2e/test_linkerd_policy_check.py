"""The checker the Swift tests run over every generated Linkerd AuthorizationPolicy must itself
catch what Elevator must never write, and pass the object API.md describes."""

import copy
import json

import pytest

import linkerd_policy_check

GOOD = {
    "apiVersion": "policy.linkerd.io/v1alpha1",
    "kind": "AuthorizationPolicy",
    "metadata": {
        "name": "elevator-inc-1234-debug", "namespace": "payments",
        "labels": {"app.kubernetes.io/managed-by": "elevator", "elevator.dev/request": "inc-1234-debug",
                   "elevator.dev/policy": "payments-debug"},
        "annotations": {"elevator.dev/expires-at": "2026-11-25T10:42:07Z", "elevator.dev/requester": "alice@example.com",
                        "elevator.dev/request-uid": "6f1c"},
        "ownerReferences": [{"apiVersion": "elevator.dev/v1alpha1", "kind": "ElevationRequest", "name": "inc-1234-debug",
                             "uid": "6f1c", "controller": True, "blockOwnerDeletion": True}],
    },
    "spec": {
        "targetRef": {"group": "policy.linkerd.io", "kind": "Server", "name": "payments-http"},
        "requiredAuthenticationRefs": [{"kind": "ServiceAccount", "name": "debugger", "namespace": "tools"}],
    },
}


def check(tmp_path, obj):
    (tmp_path / "object.json").write_text(json.dumps(obj))
    return linkerd_policy_check.main(["linkerd_policy_check.py", str(tmp_path)])


def test_the_api_md_object_passes(tmp_path, capsys):
    assert check(tmp_path, GOOD) == 0
    assert "checked 1 Linkerd AuthorizationPolicies, 0 with problems" in capsys.readouterr().out


def edited(path, value):
    obj = copy.deepcopy(GOOD)
    node = obj
    for key in path[:-1]:
        node = node[key]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return obj


BAD = [
    ("empty authentications", edited(["spec", "requiredAuthenticationRefs"], []), "authorize every client"),
    ("no authentications", edited(["spec", "requiredAuthenticationRefs"], None), "required property"),
    ("two service accounts", edited(["spec", "requiredAuthenticationRefs"],
                                    [{"kind": "ServiceAccount", "name": "a", "namespace": "x"},
                                     {"kind": "ServiceAccount", "name": "b", "namespace": "x"}]), "instead of 1"),
    ("wildcard account", edited(["spec", "requiredAuthenticationRefs", 0, "name"], "*"), "wildcard"),
    ("no namespace", edited(["spec", "requiredAuthenticationRefs", 0, "namespace"], None), "with a name and a namespace"),
    ("namespace target", edited(["spec", "targetRef"], {"kind": "Namespace", "name": "payments"}), "is not a policy.linkerd.io Server"),
    ("no target", edited(["spec", "targetRef"], None), "required property"),
    ("bad kind pattern", edited(["spec", "targetRef", "kind"], "Server!"), "does not match"),
    ("unknown field", edited(["spec", "extra"], 1), "Additional properties"),
    ("unmanaged", edited(["metadata", "labels"], {}), "managed-by"),
    ("istio object", edited(["apiVersion"], "security.istio.io/v1"), "not a policy.linkerd.io/v1alpha1"),
]


@pytest.mark.parametrize("name,obj,expected", BAD, ids=[case[0] for case in BAD])
def test_the_checker_rejects(tmp_path, capsys, name, obj, expected):
    assert check(tmp_path, obj) == 1
    assert expected in capsys.readouterr().out
