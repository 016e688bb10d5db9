"""At least 50 malformed or hostile requests and policies (hostile_cases.py), applied with the
official Python client (fieldValidation=Strict, as kubectl apply does) to `elevator sandbox` with
the CRDs installed while a real `elevator controller` runs. Each must end in a clear refusal
(the API's 4xx naming the field, a Denied status, or a policy that is not Ready) and no other
write: no mesh object, and the controller writes nothing but finalizers, status and Events."""
import copy
import json
import time

import pytest
from kubernetes import client, config
from kubernetes.client.rest import ApiException

from hostile_cases import POLICIES, REQUESTS
from reliability_support import NAMESPACE, Cluster, Controller

GROUP, VERSION = "elevator.dev", "v1alpha1"

BASE_POLICY = {
    "apiVersion": f"{GROUP}/{VERSION}", "kind": "ElevationPolicy", "metadata": {"name": "base", "namespace": NAMESPACE},
    "spec": {"target": {"workloadSelector": {"matchLabels": {"app": "payments"}}},
             "subjects": [{"serviceAccount": {"namespace": "tools", "name": "debugger"}},
                          {"requestPrincipal": "https://idp.example.com/*"}],
             "rules": [{"ports": ["8080"], "methods": ["GET", "POST"], "paths": ["/admin/*"]}],
             "requesters": {"users": ["alice@example.com"]},
             "defaultDuration": "15m", "maxDuration": "1h", "requireReason": True,
             "approval": {"stages": [{"name": "oncall", "users": ["bob@example.com"], "required": 1}],
                          "autoApprove": {"maxDuration": "1h", "reasonPattern": "^INC-[0-9]+"}}}}

BASE_REQUEST = {
    "apiVersion": f"{GROUP}/{VERSION}", "kind": "ElevationRequest", "metadata": {"name": "x", "namespace": NAMESPACE},
    "spec": {"policy": "base", "requester": {"user": "alice@example.com"},
             "subject": {"serviceAccount": {"namespace": "tools", "name": "debugger"}},
             "rules": [{"ports": ["8080"], "methods": ["GET"], "paths": ["/admin/queue"]}],
             "duration": "5m", "reason": "INC-1 hostile input"}}

# The controller's only writes for a refused request or policy.
ALLOWED_WRITES = {"patch elevationrequests.elevator.dev", "patch elevationrequests.elevator.dev/status",
                  "patch elevationpolicies.elevator.dev/status", "create events.events.k8s.io"}
WRITE_VERBS = ("create", "update", "patch", "delete", "deletecollection", "apply")
CASES = [("request",) + case for case in REQUESTS] + [("policy",) + case for case in POLICIES]


def create(api, plural, body):
    """Creates the object; returns None, or (status, message) of the API's refusal."""
    try:
        api.create_namespaced_custom_object(GROUP, VERSION, NAMESPACE, plural, body, field_validation="Strict")
        return None
    except ApiException as error:
        try:
            message = json.loads(error.body).get("message", error.body)
        except (TypeError, ValueError):
            message = str(error.body)
        return error.status, message


def condition(obj, kind):
    for item in (obj.get("status") or {}).get("conditions") or []:
        if item.get("type") == kind:
            return item
    return None


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    """Applies every case once, waits for the controller, and returns what happened to each."""
    workdir = tmp_path_factory.mktemp("hostile")
    cluster = Cluster(workdir, policy=None)
    controller = Controller(cluster, workdir)
    api = client.CustomObjectsApi(config.new_client_from_config(config_file=cluster.box.kubeconfig))
    try:
        assert controller.ready(timeout=30), controller.stderr_tail()
        assert create(api, "elevationpolicies", BASE_POLICY) is None
        # A control: a good request under the same policy is granted, so the refusals mean something.
        control = copy.deepcopy(BASE_REQUEST)
        control["metadata"]["name"] = "control"
        assert create(api, "elevationrequests", control) is None
        deadline = time.time() + 20
        while time.time() < deadline and not cluster.managed_policies():
            time.sleep(0.1)
        assert [p["metadata"]["name"] for p in cluster.managed_policies()] == ["elevator-control"]
        api.patch_namespaced_custom_object(GROUP, VERSION, NAMESPACE, "elevationrequests", "control", {"spec": {"revoked": True}})
        while time.time() < deadline + 10 and cluster.managed_policies():
            time.sleep(0.1)
        assert cluster.managed_policies() == []
        time.sleep(0.5)
        cluster.reset_counters()

        results = {}
        for index, (kind, case_id, edit, expected, words) in enumerate(CASES):
            if kind == "request":
                body = copy.deepcopy(BASE_REQUEST)
                body["metadata"]["name"] = f"h-{index}"
                edit(body)
                results[case_id] = {"kind": kind, "name": body["metadata"]["name"],
                                    "refused": create(api, "elevationrequests", body)}
            else:
                policy = copy.deepcopy(BASE_POLICY)
                policy["metadata"]["name"] = f"hp-{index}"
                edit(policy)
                request = copy.deepcopy(BASE_REQUEST)
                request["metadata"]["name"] = f"hpr-{index}"
                request["spec"]["policy"] = f"hp-{index}"
                results[case_id] = {"kind": kind, "name": f"hp-{index}", "request": f"hpr-{index}",
                                    "refused": create(api, "elevationpolicies", policy)}
                assert create(api, "elevationrequests", request) is None
        waiting = {r.get("request") or r["name"] for r in results.values() if r["refused"] is None or r.get("request")}
        deadline = time.time() + 60
        while time.time() < deadline:
            phases = {r["metadata"]["name"]: (r.get("status") or {}).get("phase") for r in cluster.requests()}
            if all(phases.get(name) in ("Denied", "Revoked", "Active", "Expired") for name in waiting):
                break
            time.sleep(0.25)
        time.sleep(1.0)  # anything the controller would still write, it writes now
        requests = {r["metadata"]["name"]: r for r in cluster.requests()}
        policies = {p["metadata"]["name"]: p for p in cluster.items(
            f"/apis/{GROUP}/{VERSION}/namespaces/{NAMESPACE}/elevationpolicies")}
        yield {"results": results, "requests": requests, "policies": policies, "counters": cluster.counters(),
               "mesh": cluster.managed_policies()}
    finally:
        controller.stop()
        cluster.stop()


def test_the_table_has_at_least_50_cases():
    assert len(CASES) >= 50


@pytest.mark.parametrize("kind,case_id,edit,expected,words", CASES, ids=[case[1] for case in CASES])
def test_hostile_input_ends_in_a_clear_refusal(outcomes, kind, case_id, edit, expected, words):
    result = outcomes["results"][case_id]
    if expected == "schema":
        assert result["refused"] is not None, f"{case_id}: the API accepted it"
        status, message = result["refused"]
        assert status in (400, 413, 422), (status, message)
        for word in words:
            assert word in message, f"{case_id}: {word!r} not in {message!r}"
        assert result["name"] not in outcomes["requests"] and result["name"] not in outcomes["policies"]
        if kind == "policy":
            denied = outcomes["requests"][result["request"]]
            assert denied["status"]["phase"] == "Denied"
            assert condition(denied, "Valid")["reason"] == "PolicyNotFound"
        return
    assert result["refused"] is None, f"{case_id}: refused by the API: {result['refused']}"
    outcome, _, reason = expected.partition(":")
    if kind == "policy":
        ready = condition(outcomes["policies"][result["name"]], "Ready")
        assert ready is not None and ready["status"] == "False", f"{case_id}: policy Ready is {ready}"
        assert ready["reason"].startswith(reason), ready
        for word in words:
            assert word in ready["message"], f"{case_id}: {word!r} not in {ready['message']!r}"
        request = outcomes["requests"][result["request"]]
        assert request["status"]["phase"] == "Denied"
        # A linkerd policy is refused before its readiness by a controller without that backend.
        assert condition(request, "Valid")["reason"] in ("PolicyNotReady", "UnsupportedMesh")
        return
    request = outcomes["requests"][result["name"]]
    status = request.get("status") or {}
    assert status.get("phase") == outcome, f"{case_id}: phase {status.get('phase')}, status {status}"
    granted = condition(request, "Granted")
    reason_condition = condition(request, "Valid") if outcome == "Denied" else granted
    assert reason_condition["reason"] == reason, reason_condition
    for word in words:
        assert word.lower() in reason_condition["message"].lower(), f"{case_id}: {word!r} not in {reason_condition['message']!r}"
    assert not status.get("grantedAt") and not status.get("grant"), f"{case_id}: it was granted: {status}"


def test_no_mesh_object_and_no_other_write(outcomes):
    assert outcomes["mesh"] == []
    writes = {key for key in outcomes["counters"] if key.split(" ")[0] in WRITE_VERBS}
    controller_writes = {key for key in writes if "elevationrequests" in key or "events" in key or "/status" in key
                         or "authorizationpolicies" in key}
    # The test's own creates are `create elevation...`; everything else is the controller's.
    assert not any("authorizationpolicies" in key for key in writes), writes
    assert controller_writes - {"create elevationrequests.elevator.dev"} <= ALLOWED_WRITES, controller_writes
