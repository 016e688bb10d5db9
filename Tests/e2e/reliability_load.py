"""A steady mixed load of ElevationRequests through the official `kubernetes` Python client:
auto-approved, approved, denied (by an approver or by the policy), revoked and extended
requests, each recorded with what was done to it and when (local clock, same as the recorder's).
"""
import heapq
import itertools
import random
import threading
import time

from kubernetes import client, config
from kubernetes.client.rest import ApiException
from urllib3.exceptions import HTTPError

from reliability_support import NAMESPACE

GROUP, VERSION = "elevator.dev", "v1alpha1"
KINDS = [("auto", 35), ("approved", 20), ("denied", 15), ("revoked", 15), ("extended", 15)]


def retrying(action, attempts=300):
    """Runs `action`, retrying injected 500/429/503 answers and dropped connections. A create
    that answers 409 after a retry already happened (the first attempt's answer was lost)."""
    retried = False
    for _ in range(attempts):
        try:
            return action()
        except ApiException as error:
            if error.status == 409 and retried:
                return None
            if error.status in (429, 500, 503, 0):
                retried = True
                time.sleep(0.05)
                continue
            raise
        except (HTTPError, OSError):
            retried = True
            time.sleep(0.1)
    raise AssertionError("an API call kept failing")


class Load:
    """Starts `lifecycles` request lifecycles, one every `interval` seconds, from a scheduler
    thread; `records` holds one entry per ElevationRequest created."""

    def __init__(self, cluster, recorder, lifecycles, interval, durations=(3, 6), seed=11):
        self.cluster = cluster
        self.recorder = recorder
        self.api = client.CustomObjectsApi(config.new_client_from_config(config_file=cluster.box.kubeconfig))
        self.lifecycles = lifecycles
        self.interval = interval
        self.durations = durations
        self.random = random.Random(seed)
        self.records = {}
        self.queue = []
        self.sequence = itertools.count()
        self.counter = itertools.count(1)
        self.errors = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        now = time.time()
        for index in range(self.lifecycles):
            self._at(now + index * self.interval, self._begin)
        self.thread.start()

    def wait(self, timeout):
        self.thread.join(timeout=timeout)
        return not self.thread.is_alive()

    def _at(self, when, action, *args):
        heapq.heappush(self.queue, (when, next(self.sequence), action, args))

    def _run(self):
        while self.queue:
            when, _, action, args = heapq.heappop(self.queue)
            delay = when - time.time()
            if delay > 0:
                time.sleep(delay)
            try:
                action(*args)
            except Exception as error:  # a load step that fails is reported by the test, not lost
                self.errors.append(f"{action.__name__}{args}: {error!r}")
        self.done.set()

    # --- the lifecycles ---
    def _begin(self):
        kind = self.random.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
        seconds = self.random.randint(*self.durations)
        number = next(self.counter)
        if kind == "auto":
            self._create(f"auto-{number}", kind, f"INC-{number} load", seconds)
        elif kind == "approved":
            name = self._create(f"appr-{number}", kind, f"CHG-{number} needs bob", seconds)
            self._at(time.time() + self.random.uniform(0.2, 1.0), self._approve, name, "Approve")
        elif kind == "denied":
            if number % 2:
                name = self._create(f"deny-{number}", kind, f"CHG-{number} bob says no", seconds)
                self._at(time.time() + self.random.uniform(0.2, 1.0), self._approve, name, "Deny")
            else:
                self._create(f"long-{number}", kind, f"INC-{number} too long", 3600 * 2)
        elif kind == "revoked":
            seconds = max(seconds, 4) * 2
            name = self._create(f"rev-{number}", kind, f"INC-{number} then revoked", seconds)
            self._at(time.time() + self.random.uniform(0.5, seconds * 0.6), self._revoke, name)
        else:
            seconds = max(seconds, 4)
            name = self._create(f"ext-{number}", kind, f"INC-{number} to be extended", seconds)
            self._at(time.time() + 0.3, self._extend, name, time.time() + seconds - 1.5)

    def _create(self, name, kind, reason, seconds, extends=None):
        body = {"apiVersion": f"{GROUP}/{VERSION}", "kind": "ElevationRequest",
                "metadata": {"name": name, "namespace": NAMESPACE},
                "spec": {"policy": "load", "requester": {"user": "alice@example.com"},
                         "subject": {"serviceAccount": {"namespace": "tools", "name": "debugger"}},
                         "rules": [{"ports": ["8080"], "methods": ["GET"], "paths": ["/admin/queue"]}],
                         "duration": f"{seconds}s", "reason": reason}}
        if extends:
            body["spec"]["extends"] = extends
        record = {"name": name, "kind": kind, "duration": seconds, "extends": extends, "approval": None,
                  "revokedAt": None, "created": time.time()}
        created = retrying(lambda: self.api.create_namespaced_custom_object(
            GROUP, VERSION, NAMESPACE, "elevationrequests", body))
        if created is None:
            created = retrying(lambda: self.api.get_namespaced_custom_object(
                GROUP, VERSION, NAMESPACE, "elevationrequests", name))
        record["createdDone"] = time.time()
        record["uid"] = created["metadata"]["uid"]
        self.records[name] = record
        return name

    def _approve(self, name, decision):
        record = self.records[name]
        body = {"apiVersion": f"{GROUP}/{VERSION}", "kind": "ElevationApproval",
                "metadata": {"name": f"{name}-bob", "namespace": NAMESPACE},
                "spec": {"request": name, "requestUID": record["uid"], "decision": decision,
                         "approver": {"user": "bob@example.com"}, "comment": "load"}}
        started = time.time()
        retrying(lambda: self.api.create_namespaced_custom_object(GROUP, VERSION, NAMESPACE, "elevationapprovals", body))
        record["approval"] = {"decision": decision, "time": started}

    def _revoke(self, name):
        record = self.records[name]
        record["revokedAt"] = time.time()
        retrying(lambda: self.api.patch_namespaced_custom_object(
            GROUP, VERSION, NAMESPACE, "elevationrequests", name, {"spec": {"revoked": True}}))
        record["revokedDone"] = time.time()

    def _extend(self, name, give_up_at):
        """Extends `name` once the recorder has seen its grant (an extension needs an Active
        request); gives up, recording why, when the window is nearly over."""
        uid = self.records[name]["uid"]
        granted = any(e["requestUID"] == uid and e["type"] != "DELETED" for e in self.recorder.snapshot())
        if not granted:
            if time.time() < give_up_at:
                self._at(time.time() + 0.2, self._extend, name, give_up_at)
            else:
                self.records[name]["extensionSkipped"] = "the request was not granted in time"
            return
        number = next(self.counter)
        child = self._create(f"ext-{number}-of-{name}", "extension", f"INC-{number} extension", self.random.randint(*self.durations),
                             extends=name)
        self.records[name]["extendedBy"] = child
