"""The checker that the Swift tests run over every generated AuthorizationPolicy must itself catch
what Elevator must never write, and pass the object API.md shows."""

import pytest

import istio_policy_check
import policy_check_support
from policy_check_support import MANAGED_METADATA, run_checker

GOOD = {
    "apiVersion": "security.istio.io/v1",
    "kind": "AuthorizationPolicy",
    "metadata": MANAGED_METADATA,
    "spec": {
        "selector": {"matchLabels": {"app": "payments"}},
        "action": "ALLOW",
        "rules": [{"from": [{"source": {"principals": ["cluster.local/ns/tools/sa/debugger"]}}],
                   "to": [{"operation": {"ports": ["8080"], "methods": ["GET"], "paths": ["/admin/queue"]}}]}],
    },
}


def check(tmp_path, obj):
    return run_checker(istio_policy_check, tmp_path, obj)


def test_the_api_md_object_passes(tmp_path, capsys):
    assert check(tmp_path, GOOD) == 0
    assert "checked 1 AuthorizationPolicies, 0 with problems" in capsys.readouterr().out


def edited(path, value):
    return policy_check_support.edited(GOOD, path, value)


BAD = [
    ("empty principals", edited(["spec", "rules"], [{"from": [{"source": {"principals": []}}], "to": [{}]}]), "not exactly one"),
    ("spiffe prefix", edited(["spec", "rules", 0, "from"], [{"source": {"principals": ["spiffe://cluster.local/ns/a/sa/b"]}}]),
     "spiffe://"),
    ("no target", edited(["spec", "selector"], None), "namespace-wide"),
    ("deny action", edited(["spec", "action"], "DENY"), "not ALLOW"),
    ("selector and targetRefs", edited(["spec", "targetRefs"], [{"kind": "Service", "name": "x"}]), "only one of targetRefs or selector"),
    ("bad action enum", edited(["spec", "action"], "ALLOWED"), "spec/action"),
    ("wildcard selector value", edited(["spec", "selector"], {"matchLabels": {"app": "pay*"}}), "wildcard not allowed"),
    ("long name", edited(["metadata", "name"], "e" * 254), "DNS subdomain"),
    ("long label", edited(["metadata", "labels", "elevator.dev/request"], "r" * 64), "not a valid label value"),
    ("no uid annotation", edited(["metadata", "annotations"], {}), "request-uid annotation"),
]


@pytest.mark.parametrize("name,obj,message", BAD, ids=[b[0] for b in BAD])
def test_bad_objects_are_caught(tmp_path, capsys, name, obj, message):
    assert check(tmp_path, obj) == 1
    assert message in capsys.readouterr().out
