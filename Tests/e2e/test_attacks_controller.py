"""Attacks on Elevator, each against `elevator sandbox` and a real `elevator controller` process:
each must be refused or repaired, and leave the Event and the audit line it should. (The Swift
controller tests cover the decisions in-process; these check the running binary end to end.)"""
import contextlib
import copy
import time

import pytest
from kubernetes import client, config
from kubernetes.client.rest import ApiException

import crdcheck
from reliability_support import NAMESPACE, Cluster, Controller
from sandbox_support import wait_until

GROUP, VERSION = "elevator.dev", "v1alpha1"
REQUEST_SCHEMA = crdcheck.crd_schema(crdcheck.ROOT / "manifests" / "crds" / "elevationrequests.yaml")
PRINCIPAL = "cluster.local/ns/tools/sa/debugger"

POLICY = {
    "apiVersion": f"{GROUP}/{VERSION}", "kind": "ElevationPolicy", "metadata": {"name": "guarded", "namespace": NAMESPACE},
    "spec": {"target": {"workloadSelector": {"matchLabels": {"app": "payments"}}},
             "subjects": [{"serviceAccount": {"namespace": "tools", "name": "debugger"}}],
             "rules": [{"ports": ["8080"], "methods": ["GET", "POST"], "paths": ["/admin/*"]}],
             "defaultDuration": "15m", "maxDuration": "1h", "requireReason": True,
             "approval": {"stages": [{"name": "oncall", "users": ["alice@example.com", "bob@example.com"], "required": 1}],
                          "autoApprove": {"maxDuration": "1h", "reasonPattern": "^INC-[0-9]+"}}}}


def request_body(name, reason="CHG-7 needs approval", namespace=NAMESPACE, policy="guarded"):
    return {"apiVersion": f"{GROUP}/{VERSION}", "kind": "ElevationRequest", "metadata": {"name": name, "namespace": namespace},
            "spec": {"policy": policy, "requester": {"user": "alice@example.com"},
                     "subject": {"serviceAccount": {"namespace": "tools", "name": "debugger"}},
                     "rules": [{"ports": ["8080"], "methods": ["GET"], "paths": ["/admin/queue"]}],
                     "duration": "10m", "reason": reason}}


def approval_body(name, request, uid, approver, decision="Approve", namespace=NAMESPACE):
    return {"apiVersion": f"{GROUP}/{VERSION}", "kind": "ElevationApproval", "metadata": {"name": name, "namespace": namespace},
            "spec": {"request": request, "requestUID": uid, "decision": decision, "approver": {"user": approver}}}


class World:
    def __init__(self, cluster, controller):
        self.cluster = cluster
        self.controller = controller
        self.api = client.CustomObjectsApi(config.new_client_from_config(config_file=cluster.box.kubeconfig))

    def create(self, plural, body):
        namespace = body["metadata"]["namespace"]
        return self.api.create_namespaced_custom_object(GROUP, VERSION, namespace, plural, body, field_validation="Strict")

    def request(self, name, namespace=NAMESPACE):
        return self.api.get_namespaced_custom_object(GROUP, VERSION, namespace, "elevationrequests", name)

    def phase(self, name, namespace=NAMESPACE):
        return (self.request(name, namespace).get("status") or {}).get("phase")

    def mesh(self, name):
        """The managed AuthorizationPolicy of request `name`, or None."""
        for item in self.cluster.managed_policies():
            if item["metadata"]["name"] == f"elevator-{name}":
                return item
        return None

    def owner_uids(self, approval):
        """The uids an approval's ownerReferences name; None when the approval does not exist."""
        try:
            body = self.api.get_namespaced_custom_object(GROUP, VERSION, NAMESPACE, "elevationapprovals", approval)
        except ApiException as error:
            if error.status == 404:
                return None
            raise
        return [ref["uid"] for ref in body["metadata"].get("ownerReferences") or []]

    def events(self, name, reason):
        return [e for e in self.cluster.events() if (e.get("regarding") or {}).get("name") == name and e.get("reason") == reason]

    def audit(self, name, event):
        return [line for _, line, _ in self.controller.audit if line.get("request") == name and line.get("event") == event]

    def wait_phase(self, name, phase, namespace=NAMESPACE, timeout=15):
        assert wait_until(lambda: self.phase(name, namespace) == phase, timeout=timeout), \
            f"{name} is {self.phase(name, namespace)}, not {phase}"

    def wait_event(self, name, reason, timeout=15):
        assert wait_until(lambda: self.events(name, reason), timeout=timeout), f"no {reason} Event on {name}"
        return self.events(name, reason)

    def wait_audit(self, name, event, timeout=15):
        assert wait_until(lambda: self.audit(name, event), timeout=timeout), f"no {event} audit line for {name}"
        return self.audit(name, event)


@contextlib.contextmanager
def running_world(workdir, env):
    """A sandbox, a controller with `env`, and the policy `guarded`; stopped afterwards."""
    cluster = Cluster(workdir, policy=None)
    controller = Controller(cluster, workdir, extra_env=env)
    try:
        assert controller.ready(timeout=30), controller.stderr_tail()
        result = World(cluster, controller)
        result.create("elevationpolicies", POLICY)
        yield result
    finally:
        controller.stop()
        cluster.stop()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with running_world(tmp_path_factory.mktemp("attacks"), {"ELEVATOR_SWEEP_INTERVAL": "1s"}) as result:
        yield result


@pytest.mark.parametrize("name,approver,words", [
    ("self", "alice@example.com", "requester"),               # the requester approving her own request
    ("outsider", "mallory@example.com", "mallory@example.com"),  # an approver outside every stage
])
def test_an_approval_that_must_not_count_is_ignored_with_a_warning_event_and_an_audit_line(world, name, approver, words):
    uid = world.create("elevationrequests", request_body(name))["metadata"]["uid"]
    world.create("elevationapprovals", approval_body(f"{name}-approval", name, uid, approver))
    (event,) = world.wait_event(name, "ApprovalIgnored")
    assert event["type"] == "Warning" and f"{name}-approval" in event["note"] and words in event["note"]
    (line,) = world.wait_audit(name, "ApprovalIgnored")
    assert line["type"] == "Warning" and f"{name}-approval" in line["message"]
    time.sleep(0.5)
    assert world.phase(name) == "Pending" and world.mesh(name) is None


def test_an_approval_replayed_onto_a_recreated_request_of_the_same_name_does_not_count(world):
    first = world.create("elevationrequests", request_body("replay"))["metadata"]["uid"]
    world.create("elevationapprovals", approval_body("replay-bob", "replay", first, "bob@example.com"))
    world.wait_phase("replay", "Active")
    assert world.mesh("replay") is not None
    # The approval is owned by its request (API.md), so it goes with it: the sandbox collects
    # garbage by ownerReferences as kube-controller-manager does.
    assert wait_until(lambda: world.owner_uids("replay-bob") == [first], timeout=10), world.owner_uids("replay-bob")
    world.api.delete_namespaced_custom_object(GROUP, VERSION, NAMESPACE, "elevationrequests", "replay")
    assert wait_until(lambda: not any(r["metadata"]["name"] == "replay" for r in world.cluster.requests()), timeout=15)
    assert world.mesh("replay") is None
    assert wait_until(lambda: world.owner_uids("replay-bob") is None, timeout=10), "the approval outlived its request"
    second = world.create("elevationrequests", request_body("replay"))["metadata"]["uid"]
    assert second != first
    world.create("elevationapprovals", approval_body("replay-bob-again", "replay", first, "bob@example.com"))
    # The audit line names this approval; the Event may be a repeat folded into the series of an
    # earlier ApprovalIgnored Event on the new request, so it is counted.
    (line,) = wait_until(lambda: [line for line in world.audit("replay", "ApprovalIgnored")
                                  if line["uid"] == second and "replay-bob-again" in line["message"]], timeout=15)
    assert first in line["message"] and line["type"] == "Warning"
    mentions = lambda: sum(  # noqa: E731
        max(1, (e.get("series") or {}).get("count", 1)) for e in world.events("replay", "ApprovalIgnored")
        if e["regarding"]["uid"] == second)
    ignored_before = len([l for l in world.audit("replay", "ApprovalIgnored") if l["uid"] == second])
    assert wait_until(lambda: mentions() >= ignored_before, timeout=10), (mentions(), ignored_before)
    time.sleep(0.5)
    assert world.phase("replay") == "Pending" and world.mesh("replay") is None
    # Bound to the first object: never owned by the second (it would otherwise live as long as it).
    assert world.owner_uids("replay-bob-again") == []


def test_a_spec_edit_after_approval_is_refused_by_cel_and_denied_by_the_controller(world):
    uid = world.create("elevationrequests", request_body("edited"))["metadata"]["uid"]
    world.create("elevationapprovals", approval_body("edited-bob", "edited", uid, "bob@example.com"))
    world.wait_phase("edited", "Active")
    old = world.request("edited")
    wider = copy.deepcopy(old)
    wider["spec"]["rules"] = [{"ports": ["8080"]}]
    # In a real cluster the CRD's transition rule refuses the edit ...
    assert any("cannot change after creation" in message for message in crdcheck.admit(REQUEST_SCHEMA, wider, old))
    # ... the sandbox runs no CEL, so the edit lands, and the controller's spec hash catches it.
    world.api.patch_namespaced_custom_object(GROUP, VERSION, NAMESPACE, "elevationrequests", "edited",
                                             {"spec": {"rules": [{"ports": ["8080"]}]}})
    world.wait_phase("edited", "Denied")
    assert wait_until(lambda: world.mesh("edited") is None, timeout=5)
    (event,) = world.wait_event("edited", "Denied")
    assert "spec changed" in event["note"]
    (line,) = world.wait_audit("edited", "Denied")
    assert line["phase"] == "Denied" and "spec changed" in line["message"]


def test_a_managed_policy_widened_by_hand_is_restored(world):
    world.create("elevationrequests", request_body("widened", reason="INC-42 auto"))
    world.wait_phase("widened", "Active")
    assert wait_until(lambda: world.mesh("widened") is not None, timeout=5)
    custom = client.CustomObjectsApi(world.api.api_client)
    custom.patch_namespaced_custom_object("security.istio.io", "v1", NAMESPACE, "authorizationpolicies", "elevator-widened",
                                          {"spec": {"rules": [{"from": [{"source": {"principals": ["*"]}}]}]}})

    def principals():
        rules = (world.mesh("widened") or {}).get("spec", {}).get("rules", [])
        return [p for rule in rules for f in rule.get("from", []) for p in f["source"].get("principals", [])]
    assert wait_until(lambda: principals() == [PRINCIPAL], timeout=5), principals()
    (event,) = world.wait_event("widened", "MeshObjectRestored")
    assert event["type"] == "Warning" and "elevator-widened" in event["note"]
    (line,) = world.wait_audit("widened", "MeshObjectRestored")
    assert line["type"] == "Warning" and "elevator-widened" in line["message"]


def test_a_foreign_policy_with_the_label_alone_is_never_deleted_but_an_orphan_with_the_annotation_is(world):
    custom = client.CustomObjectsApi(world.api.api_client)

    def policy(name, annotations):
        return {"apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
                "metadata": {"name": name, "namespace": NAMESPACE, "labels": {"app.kubernetes.io/managed-by": "elevator"},
                             "annotations": annotations},
                "spec": {"selector": {"matchLabels": {"app": "payments"}}, "rules": [{"from": [{"source": {"namespaces": ["x"]}}]}]}}
    foreign = custom.create_namespaced_custom_object("security.istio.io", "v1", NAMESPACE, "authorizationpolicies",
                                                     policy("someone-elses", {}))
    custom.create_namespaced_custom_object("security.istio.io", "v1", NAMESPACE, "authorizationpolicies",
                                           policy("orphan", {"elevator.dev/request-uid": "00000000-dead-beef-0000-000000000000",
                                                             "elevator.dev/expires-at": "2026-01-01T00:00:00Z"}))
    names = lambda: {p["metadata"]["name"] for p in world.cluster.managed_policies()}  # noqa: E731
    assert wait_until(lambda: "orphan" not in names(), timeout=5), "the sweep did not delete the orphan"
    time.sleep(3)  # three more sweeps
    kept = custom.get_namespaced_custom_object("security.istio.io", "v1", NAMESPACE, "authorizationpolicies", "someone-elses")
    assert kept["metadata"]["resourceVersion"] == foreign["metadata"]["resourceVersion"]


def test_cross_namespace_references_are_refused(world):
    # A request in another namespace cannot use payments' policy: policies are looked up in its own.
    world.create("elevationrequests", request_body("borrowed", reason="INC-9 elsewhere", namespace="tools"))
    world.wait_phase("borrowed", "Denied", namespace="tools")
    valid = next(c for c in world.request("borrowed", "tools")["status"]["conditions"] if c["type"] == "Valid")
    assert valid["reason"] == "PolicyNotFound" and "guarded" in valid["message"] and "tools" in valid["message"]
    # An approval in another namespace does not count for a payments request, even with its uid.
    uid = world.create("elevationrequests", request_body("far"))["metadata"]["uid"]
    world.create("elevationapprovals", approval_body("far-bob", "far", uid, "bob@example.com", namespace="tools"))
    time.sleep(1.5)
    assert world.phase("far") == "Pending" and world.mesh("far") is None
    assert [line for line in world.controller.audit if line[1].get("request") == "far" and line[1]["event"] == "Granted"] == []
    with pytest.raises(ApiException):
        world.api.get_namespaced_custom_object(GROUP, VERSION, "tools", "elevationrequests", "far")


def test_a_requester_claiming_another_identity_is_refused_at_admission_and_nothing_is_granted_without_it(tmp_path):
    # The admission policies (manifests/admission/, their full table in test_admission_cel.py)
    # refuse this attack's object when alice sends it claiming bob and a group she lacks ...
    from test_admission_cel import admission_request, admit
    claim = request_body("claim", reason="INC-5 as bob")
    claim["spec"]["requester"] = {"user": "bob@example.com", "groups": ["security"]}
    messages = " | ".join(admit(admission_request("alice@example.com", ["payments-oncall"], claim, "elevationrequests")))
    assert "set it to 'alice@example.com'" in messages and "remove 'security'" in messages
    # ... and a controller that cannot see those policies installed grants nothing at all.
    with running_world(tmp_path, {"ELEVATOR_ALLOW_UNVERIFIED_IDENTITY": "false"}) as world:
        world.create("elevationrequests", claim)
        (event,) = world.wait_event("claim", "IdentityUnverified")
        assert event["type"] == "Warning" and "ValidatingAdmissionPolicies" in event["note"]
        world.wait_audit("claim", "IdentityUnverified")
        time.sleep(0.5)
        assert world.phase("claim") == "Pending" and world.mesh("claim") is None
