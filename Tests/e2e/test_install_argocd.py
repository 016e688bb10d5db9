"""The Argo CD health checks (manifests/argocd/argocd-cm-health.yaml) run in a real Lua 5.1 engine
(lupa.lua51; Argo CD embeds gopher-lua, a Lua 5.1), the way Argo CD runs them: the script body is a function of `obj` returning a table with
`status` and `message`. A table of objects per kind, from fresh to finished."""
import pathlib

import pytest
import yaml
from lupa.lua51 import LuaRuntime

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHECKS = yaml.safe_load((ROOT / "manifests" / "argocd" / "argocd-cm-health.yaml").read_text())["data"]
PREFIX = "resource.customizations.health.elevator.dev_"
STATUSES = {"Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"}


def health(kind, obj):
    lua = LuaRuntime(unpack_returned_tuples=True)
    script = lua.execute("return function(obj)\n" + CHECKS[PREFIX + kind] + "\nend")
    result = script(lua.table_from(obj, recursive=True))
    return result["status"], result["message"]


def cond(kind, status, reason="", message=""):
    return {"type": kind, "status": status, "reason": reason, "message": message}


def policy(status=None, suspended=False, generation=2):
    obj = {"metadata": {"name": "p", "generation": generation}, "spec": {"suspended": suspended}}
    if status is not None:
        obj["status"] = status
    return obj


def request(phase=None, conditions=(), break_glass=False):
    obj = {"metadata": {"name": "r"}, "spec": {"breakGlass": break_glass}}
    if phase is not None:
        obj["status"] = {"phase": phase, "conditions": list(conditions), "expiresAt": "2026-11-25T10:42:07Z"}
    return obj


CASES = [
    ("policy not yet seen", "ElevationPolicy", policy(), "Progressing", "Waiting for the Elevator controller"),
    ("policy ready", "ElevationPolicy", policy({"observedGeneration": 2, "conditions": [cond("Ready", "True", "Valid", "ok")]}),
     "Healthy", "Valid: ok"),
    ("policy not ready", "ElevationPolicy",
     policy({"observedGeneration": 2, "conditions": [cond("Ready", "False", "NoDefaultDeny", "no ALLOW policy covers app=payments")]}),
     "Degraded", "NoDefaultDeny: no ALLOW policy covers app=payments"),
    ("policy changed, not yet checked", "ElevationPolicy",
     policy({"observedGeneration": 1, "conditions": [cond("Ready", "True", "Valid", "ok")]}), "Progressing", "Waiting"),
    ("policy suspended", "ElevationPolicy", policy(suspended=True), "Suspended", "Suspended"),
    ("request new", "ElevationRequest", request(), "Progressing", "Waiting for the Elevator controller"),
    ("request pending", "ElevationRequest", request("Pending", [cond("Approved", "False", "Pending", "0 of 1 oncall")]),
     "Progressing", "0 of 1 oncall"),
    ("request identity unverified", "ElevationRequest",
     request("Pending", [cond("Valid", "False", "IdentityUnverified", "no admission policy")]), "Degraded", "IdentityUnverified"),
    ("request active", "ElevationRequest", request("Active", [cond("Granted", "True", "Granted", "GET /admin on app=payments")]),
     "Healthy", "GET /admin on app=payments"),
    ("break-glass unreviewed", "ElevationRequest", request("Active", [cond("Reviewed", "False")], break_glass=True),
     "Degraded", "Break-glass grant not reviewed"),
    ("break-glass reviewed", "ElevationRequest",
     request("Active", [cond("Reviewed", "True"), cond("Granted", "True", "Granted", "granted")], break_glass=True), "Healthy", "granted"),
    ("request denied", "ElevationRequest", request("Denied", [cond("Valid", "False", "DurationTooLong", "2h is over maxDuration 1h")]),
     "Degraded", "Denied: 2h is over maxDuration 1h"),
    ("request denied by an approver", "ElevationRequest", request("Denied", [cond("Approved", "False", "Denied", "bob denied it")]),
     "Degraded", "bob denied it"),
    ("request expired", "ElevationRequest", request("Expired"), "Healthy", "Expired (finished)"),
    ("request revoked", "ElevationRequest", request("Revoked"), "Healthy", "Revoked (finished)"),
    ("request odd phase", "ElevationRequest", request("Weird"), "Unknown", "Weird"),
    ("approval", "ElevationApproval", {"spec": {"decision": "Approve", "approver": {"user": "bob@example.com"}}},
     "Healthy", "Approve by bob@example.com"),
    ("approval without decision", "ElevationApproval", {"spec": {}}, "Unknown", "No decision"),
]


@pytest.mark.parametrize("case,kind,obj,status,message", CASES, ids=[c[0] for c in CASES])
def test_health(case, kind, obj, status, message):
    got_status, got_message = health(kind, obj)
    assert (got_status, message in got_message) == (status, True), (got_status, got_message)
    assert got_status in STATUSES


def test_every_kind_has_a_check():
    assert set(CHECKS) == {PREFIX + kind for kind in ("ElevationPolicy", "ElevationRequest", "ElevationApproval")}
