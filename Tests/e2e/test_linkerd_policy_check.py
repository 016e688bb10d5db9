"""The checker the Swift tests run over every generated Linkerd AuthorizationPolicy must itself
catch what Elevator must never write, and pass the object API.md describes."""

import pytest

import linkerd_policy_check
import policy_check_support
from policy_check_support import MANAGED_METADATA, run_checker

GOOD = {
    "apiVersion": "policy.linkerd.io/v1alpha1",
    "kind": "AuthorizationPolicy",
    "metadata": MANAGED_METADATA,
    "spec": {
        "targetRef": {"group": "policy.linkerd.io", "kind": "Server", "name": "payments-http"},
        "requiredAuthenticationRefs": [{"kind": "ServiceAccount", "name": "debugger", "namespace": "tools"}],
    },
}


def check(tmp_path, obj):
    return run_checker(linkerd_policy_check, tmp_path, obj)


def test_the_api_md_object_passes(tmp_path, capsys):
    assert check(tmp_path, GOOD) == 0
    assert "checked 1 Linkerd AuthorizationPolicies, 0 with problems" in capsys.readouterr().out


def edited(path, value):
    return policy_check_support.edited(GOOD, path, value)


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
