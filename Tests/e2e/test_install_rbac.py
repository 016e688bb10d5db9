"""Least privilege, checked against what the controller really does.

The real `elevator controller` process runs against `elevator sandbox` (with manifests/install.yaml
applied, so the identity policies exist and no --allow-unverified-identity is needed) through a
whole life: policy Ready, an auto-approved grant that expires, a grant after an approval that is
revoked, a break-glass grant that is reviewed, drifts repaired twice (an Event series), a denial,
finished requests retired, an Active request deleted, leader election on, a restart that sweeps an
orphan. The sandbox counts every API call by verb and resource; the test's own calls (made here,
and counted here) are subtracted, which leaves the controller's. Each must be allowed by the
ClusterRole and Role the chart renders, and every verb those roles grant must have been used,
except the few listed in EXCEPTIONS with the reason.
"""
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections import Counter

import yaml

from sandbox_support import ELEVATOR, ROOT, Sandbox, free_ports, wait_until

NAMESPACE = "payments"
# Granted although the life above never calls them, each for a reason the test cannot provoke.
EXCEPTIONS = {
    ("delete", "elevator.dev", "elevationapprovals"):
        "never called: the controller sets an ownerReference on approvals (patch), and kube-apiserver's "
        "OwnerReferencesPermissionEnforcement admission plugin demands delete on an object to change its "
        "ownerReferences (the sandbox runs no admission plugins)",
    ("update", "elevator.dev", "elevationrequests/finalizers"):
        "never called: mesh objects carry an ownerReference with blockOwnerDeletion to their request, and "
        "kube-apiserver's OwnerReferencesPermissionEnforcement admission plugin demands update on the owner's "
        "finalizers for that (the sandbox runs no admission plugins)",
    **{(verb, "policy.linkerd.io", "authorizationpolicies"):
       "Linkerd grants (apply, get of an object the cache has not seen, uid-guarded delete): the life above "
       "is an Istio one; the Swift lifecycle tests (GrantLifecycleTests) run the same life for Linkerd"
       for verb in ("get", "patch", "delete")},
}

POLICY = {
    "apiVersion": "elevator.dev/v1alpha1", "kind": "ElevationPolicy",
    "metadata": {"name": "payments-debug", "namespace": NAMESPACE},
    "spec": {
        "target": {"workloadSelector": {"matchLabels": {"app": "payments"}}},
        "subjects": [{"serviceAccount": {"namespace": "tools", "name": "debugger"}}],
        "rules": [{"ports": ["8080"], "methods": ["GET", "POST"], "paths": ["/admin/*"]}],
        "requesters": {"groups": ["payments-oncall"]},
        "defaultDuration": "15m", "maxDuration": "1h", "requireReason": True,
        "approval": {"stages": [{"name": "oncall", "groups": ["payments-oncall"], "required": 1}],
                     "autoApprove": {"maxDuration": "10m", "reasonPattern": "^INC-[0-9]+"}, "timeout": "1h"},
        "breakGlass": {"allowed": True, "maxDuration": "30m"},
    },
}
BASELINE = {
    "apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
    "metadata": {"name": "baseline", "namespace": NAMESPACE},
    "spec": {"selector": {"matchLabels": {"app": "payments"}}, "rules": [{"from": [{"source": {"namespaces": [NAMESPACE]}}]}]},
}


class API:
    """The test's own API calls, made with urllib and counted by (verb, storage key) like the sandbox."""

    def __init__(self, box):
        self.box = box
        self.calls = Counter()

    def call(self, verb, method, path, key, body=None, content_type="application/json"):
        self.calls[f"{verb} {key}"] += 1
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.box.url + path, data=data, method=method,
                                         headers={"Authorization": f"Bearer {self.box.token}", "Content-Type": content_type})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    @staticmethod
    def path(group, plural, name=None, namespace=NAMESPACE):
        base = "/api/v1" if group == "" else f"/apis/{group}"
        return f"{base}/namespaces/{namespace}/{plural}" + (f"/{name}" if name else "")

    def create(self, group_version, plural, key, obj):
        status, body = self.call("create", "POST", self.path(group_version, plural), key, obj)
        assert status == 201, body
        return body

    def get(self, group_version, plural, key, name):
        return self.call("get", "GET", self.path(group_version, plural, name), key)

    def delete(self, group_version, plural, key, name):
        status, body = self.call("delete", "DELETE", self.path(group_version, plural, name), key)
        assert status in (200, 202), body

    def patch(self, group_version, plural, key, name, body):
        status, answer = self.call("patch", "PATCH", self.path(group_version, plural, name), key, body,
                                   "application/merge-patch+json")
        assert status == 200, answer

    # The elevator kinds and AuthorizationPolicies, by short name.
    def request(self, name):
        return self.get("elevator.dev/v1alpha1", "elevationrequests", "elevationrequests.elevator.dev", name)

    def mesh(self, name):
        return self.get("security.istio.io/v1", "authorizationpolicies", "authorizationpolicies.security.istio.io", name)


def request_object(name, reason, duration, break_glass=False):
    return {"apiVersion": "elevator.dev/v1alpha1", "kind": "ElevationRequest",
            "metadata": {"name": name, "namespace": NAMESPACE},
            "spec": {"policy": "payments-debug", "requester": {"user": "alice@example.com", "groups": ["payments-oncall"]},
                     "subject": {"serviceAccount": {"namespace": "tools", "name": "debugger"}},
                     "duration": duration, "reason": reason, "breakGlass": break_glass}}


def approval_object(name, request, uid, approver="bob@example.com"):
    return {"apiVersion": "elevator.dev/v1alpha1", "kind": "ElevationApproval",
            "metadata": {"name": name, "namespace": NAMESPACE},
            "spec": {"request": request, "requestUID": uid, "decision": "Approve",
                     "approver": {"user": approver, "groups": ["payments-oncall"]}}}


def rendered_roles():
    """The controller's ClusterRole and Role as manifests/install.yaml (rendered from the chart) has them."""
    docs = [d for d in yaml.safe_load_all((ROOT / "manifests" / "install.yaml").read_text()) if d]
    cluster = [d for d in docs if d["kind"] == "ClusterRole" and d["metadata"]["name"] == "elevator-controller"]
    role = [d for d in docs if d["kind"] == "Role" and d["metadata"]["name"] == "elevator-leader-election"]
    assert len(cluster) == 1 and len(role) == 1
    bound = {(d["kind"], d["roleRef"]["name"]) for d in docs if d["kind"] in ("ClusterRoleBinding", "RoleBinding")
             and any(s.get("name") == "elevator" and s["kind"] == "ServiceAccount" for s in d["subjects"])}
    assert bound == {("ClusterRoleBinding", "elevator-controller"), ("RoleBinding", "elevator-leader-election")}
    return cluster[0]["rules"], role[0]["rules"]


def grants(rules):
    """Every (verb, group, resource[/subresource]) the rules allow."""
    return {(verb, group, resource) for rule in rules for group in rule["apiGroups"]
            for resource in rule["resources"] for verb in rule["verbs"]}


def parse(key):
    """`patch elevationrequests.elevator.dev/status` -> ("patch", "elevator.dev", "elevationrequests/status")."""
    verb, resource = key.split(" ", 1)
    storage, _, subresource = resource.partition("/")
    plural, _, group = storage.partition(".")
    return verb, group, plural + (f"/{subresource}" if subresource else "")


def start_controller(box, ports):
    metrics_port, probe_port = ports
    args = [str(ELEVATOR), "controller", "--kubeconfig", box.kubeconfig, "--leader-elect",
            "--leader-election-namespace", "elevator-system", "--sweep-interval", "1s", "--retain-finished", "2s",
            "--metrics-address", f"127.0.0.1:{metrics_port}", "--probe-address", f"127.0.0.1:{probe_port}", "--log-format", "json"]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, POD_NAME="elevator-0"))


def stop_controller(process):
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err[-3000:]
    return out, err


def ready(ports):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{ports[1]}/readyz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def phase(api, name):
    status, body = api.request(name)
    return (body.get("status") or {}).get("phase") if status == 200 else None


def condition(api, name, kind):
    status, body = api.request(name)
    if status != 200:
        return None
    return next((c["status"] for c in (body.get("status") or {}).get("conditions", []) if c["type"] == kind), None)


def test_controller_calls_exactly_what_its_roles_allow(tmp_path):
    box = Sandbox(tmp_path, extra_args=["--crds", str(ROOT / "manifests" / "mesh-crds")])
    api = API(box)
    ports = free_ports(2)
    controller = None
    try:
        box.kubectl("apply", "-f", str(ROOT / "manifests" / "install.yaml"))
        box.kubectl("apply", "-f", "-", input=f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {NAMESPACE}}}\n")
        assert box.kubectl("get", "validatingadmissionpolicies", "-o", "name").stdout.count("elevator-") == 2
        reset = urllib.request.Request(box.url + "/sandbox/counters", method="DELETE",
                                       headers={"Authorization": f"Bearer {box.token}"})
        urllib.request.urlopen(reset, timeout=5).close()

        controller = start_controller(box, ports)
        assert wait_until(lambda: ready(ports), timeout=20), "controller never became ready"
        api.create("security.istio.io/v1", "authorizationpolicies", "authorizationpolicies.security.istio.io", BASELINE)
        api.create("elevator.dev/v1alpha1", "elevationpolicies", "elevationpolicies.elevator.dev", POLICY)

        def policy_ready():
            status, body = api.get("elevator.dev/v1alpha1", "elevationpolicies", "elevationpolicies.elevator.dev", "payments-debug")
            return any(c["type"] == "Ready" and c["status"] == "True" for c in (body.get("status") or {}).get("conditions", []))
        assert wait_until(policy_ready, timeout=10), "the policy never became Ready"

        requests_key = ("elevator.dev/v1alpha1", "elevationrequests", "elevationrequests.elevator.dev")
        approvals_key = ("elevator.dev/v1alpha1", "elevationapprovals", "elevationapprovals.elevator.dev")
        # Auto-approved, short: Active, ExpiringSoon, Expired, then retired after --retain-finished.
        api.create(*requests_key, request_object("auto", "INC-1 stuck payouts", "4s"))
        # Needs an approval: Pending, Active after bob approves, then revoked.
        pending = api.create(*requests_key, request_object("approved", "maintenance window", "20m"))
        # Break-glass: Active at once, Reviewed after an approval.
        api.create(*requests_key, request_object("glass", "outage", "20m", break_glass=True))
        # Auto-approved, revoked while the controller is down (below).
        api.create(*requests_key, request_object("offline", "INC-3 cleanup", "10m"))
        # Over maxDuration: Denied.
        api.create(*requests_key, request_object("denied", "INC-2", "2h"))

        # "auto" (4 s) and "denied" may be finished and retired (2 s) before a loaded machine looks:
        # the audit lines, checked at the end, tell their whole story.
        assert wait_until(lambda: phase(api, "auto") in ("Active", "Expired", None), timeout=10)
        assert wait_until(lambda: phase(api, "glass") == "Active", timeout=10)
        assert wait_until(lambda: phase(api, "offline") == "Active", timeout=10)
        assert wait_until(lambda: phase(api, "denied") in ("Denied", None), timeout=10)
        assert wait_until(lambda: phase(api, "approved") == "Pending", timeout=10)
        api.create(*approvals_key, approval_object("approved-bob", "approved", pending["metadata"]["uid"]))
        assert wait_until(lambda: phase(api, "approved") == "Active", timeout=10)
        glass_uid = api.request("glass")[1]["metadata"]["uid"]
        api.create(*approvals_key, approval_object("glass-bob", "glass", glass_uid))
        assert wait_until(lambda: condition(api, "glass", "Reviewed") == "True", timeout=10)

        # Drift, twice: the same Warning Event again becomes a series (patch).
        for _ in range(2):
            api.delete("security.istio.io/v1", "authorizationpolicies", "authorizationpolicies.security.istio.io", "elevator-glass")
            assert wait_until(lambda: api.mesh("elevator-glass")[0] == 200, timeout=10), "drift not repaired"

        api.patch(*requests_key, "approved", {"spec": {"revoked": True}})
        assert wait_until(lambda: phase(api, "approved") == "Revoked", timeout=10)
        assert wait_until(lambda: api.mesh("elevator-approved")[0] == 404, timeout=10)
        # Expired (and perhaps already retired by now): its object is gone either way.
        assert wait_until(lambda: phase(api, "auto") in ("Expired", None) and api.mesh("elevator-auto")[0] == 404,
                          timeout=15)
        # Finished requests go after --retain-finished (2 s).
        assert wait_until(lambda: api.request("denied")[0] == 404, timeout=15), "finished request not retired"

        # Restart: the Lease is released; an orphan written meanwhile is swept at start; a request
        # revoked meanwhile whose object is already gone is checked by name (get) and finished.
        audit = stop_controller(controller)[0]
        api.delete("security.istio.io/v1", "authorizationpolicies", "authorizationpolicies.security.istio.io", "elevator-offline")
        api.patch(*requests_key, "offline", {"spec": {"revoked": True}})
        orphan = {"apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
                  "metadata": {"name": "elevator-gone", "namespace": NAMESPACE,
                               "labels": {"app.kubernetes.io/managed-by": "elevator"},
                               "annotations": {"elevator.dev/request-uid": "00000000-0000-4000-8000-000000000000",
                                               "elevator.dev/expires-at": "2030-01-01T00:00:00Z"}},
                  "spec": {"selector": {"matchLabels": {"app": "payments"}}, "action": "ALLOW",
                           "rules": [{"from": [{"source": {"principals": ["cluster.local/ns/tools/sa/debugger"]}}]}]}}
        api.create("security.istio.io/v1", "authorizationpolicies", "authorizationpolicies.security.istio.io", orphan)
        controller = start_controller(box, ports)
        assert wait_until(lambda: api.mesh("elevator-gone")[0] == 404, timeout=15), "orphan not swept after restart"
        assert wait_until(lambda: phase(api, "offline") in ("Revoked", None), timeout=10)
        # Deleting an Active request: its objects go, then the finalizer.
        api.delete(*requests_key, "glass")
        assert wait_until(lambda: api.request("glass")[0] == 404, timeout=10), "finalizer never removed"
        assert api.mesh("elevator-glass")[0] == 404
        audit += stop_controller(controller)[0]
        controller = None

        with urllib.request.urlopen(urllib.request.Request(box.url + "/sandbox/counters",
                                    headers={"Authorization": f"Bearer {box.token}"}), timeout=5) as response:
            counted = Counter(json.loads(response.read()))
    finally:
        if controller is not None and controller.poll() is None:
            controller.kill()
            controller.wait()
        box.stop()

    events = {(line["request"], line["event"]) for line in map(json.loads, audit.splitlines()) if line.get("kind") == "audit"}
    story = {("auto", "Granted"), ("auto", "ExpiringSoon"), ("auto", "Expired"), ("approved", "PendingApproval"),
             ("approved", "Granted"), ("approved", "Revoked"), ("glass", "BreakGlass"), ("glass", "Reviewed"),
             ("glass", "Revoked"), ("offline", "Granted"), ("offline", "Revoked"), ("denied", "Denied")}
    assert story - events == set(), f"the life missed transitions: {sorted(story - events)}"

    controller_calls = counted - api.calls
    assert not (api.calls - counted), f"the sandbox missed some of the test's own calls: {api.calls - counted}"
    used = {parse(key) for key in controller_calls}
    cluster_rules, role_rules = rendered_roles()
    allowed = grants(cluster_rules) | grants(role_rules)
    print("controller API calls:", json.dumps(dict(sorted(controller_calls.items())), indent=1))

    not_allowed = sorted(call for call in used if call not in allowed)
    assert not_allowed == [], f"the controller called what its roles do not allow: {not_allowed}"
    unused = sorted(grant for grant in allowed if grant not in used and grant not in EXCEPTIONS)
    assert unused == [], f"the roles grant what the controller never called (remove, or list in EXCEPTIONS with why): {unused}"
    stale = sorted(grant for grant in EXCEPTIONS if grant in used or grant not in allowed)
    assert stale == [], f"EXCEPTIONS lists grants that are used or not granted: {stale}"
    # Leases only through the namespaced Role, never cluster-wide.
    assert not any(group == "coordination.k8s.io" for _, group, _ in grants(cluster_rules))
