"""The moving parts of the reliability scenarios: a sandbox with Elevator's CRDs, real
`elevator controller` processes (killable, restartable, optionally behind a TCP proxy that can
make the API unreachable), and a recorder that watches the managed AuthorizationPolicies from
before the load starts, timestamping every change as it arrives.

The load generator lives in `reliability_load.py`, the auditor in `reliability_audit.py`.
"""
import http.client
import json
import os
import pathlib
import select
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request

from sandbox_support import BASELINE_POLICY, ELEVATOR, ROOT, Sandbox, free_ports, wait_until

NAMESPACE = "payments"
MANAGED = "app.kubernetes.io/managed-by=elevator"


LOAD_POLICY = """
apiVersion: elevator.dev/v1alpha1
kind: ElevationPolicy
metadata: {name: load, namespace: payments}
spec:
  target: {workloadSelector: {matchLabels: {app: payments}}}
  subjects: [{serviceAccount: {namespace: tools, name: debugger}}]
  rules: [{ports: ["8080"], methods: [GET, POST], paths: ["/admin/*"]}]
  defaultDuration: 5s
  maxDuration: 10m
  requireReason: true
  approval:
    stages: [{name: oncall, users: [bob@example.com], required: 1}]
    autoApprove: {maxDuration: 10m, reasonPattern: "^INC-[0-9]+"}
    timeout: 2m
"""


def full_mode():
    """True when the scenarios should run at the issue's sizes (ELEVATOR_RELIABILITY=full)."""
    return os.environ.get("ELEVATOR_RELIABILITY", "") == "full"


def results_dir():
    path = ROOT / ".build" / "reliability"
    path.mkdir(parents=True, exist_ok=True)
    return path


class Cluster:
    """A sandbox with Elevator's and Istio's CRDs, namespaces payments and elevator-system, the
    default-deny baseline policy and the load's ElevationPolicy."""

    def __init__(self, workdir, policy=LOAD_POLICY):
        self.workdir = pathlib.Path(workdir)
        self.box = Sandbox(self.workdir, extra_args=[
            "--crds", str(ROOT / "manifests" / "crds"), str(ROOT / "manifests" / "mesh-crds")])
        parsed = urllib.parse.urlparse(self.box.url)
        self.host, self.port = parsed.hostname, parsed.port
        for namespace in (NAMESPACE, "elevator-system", "tools"):
            self.box.kubectl("apply", "-f", "-", input=f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {namespace}}}\n")
        self.box.kubectl("apply", "-f", "-", input=BASELINE_POLICY)
        if policy:
            self.box.kubectl("apply", "-f", "-", input=policy)

    # --- raw API access (admin paths and reads the auditor needs) ---
    def call(self, method, path, body=None, content_type="application/json", timeout=10):
        """One HTTP request to the sandbox; returns (status, parsed JSON body or text)."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        headers = {"Authorization": f"Bearer {self.box.token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = body if isinstance(body, (bytes, str)) else json.dumps(body)
            headers["Content-Type"] = content_type
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            payload = response.read().decode()
        finally:
            connection.close()
        try:
            return response.status, json.loads(payload) if payload else None
        except ValueError:
            return response.status, payload

    def call_retrying(self, method, path, body=None, content_type="application/json", attempts=200):
        """Like `call`, retrying injected 500/429/503 answers and dropped connections."""
        last = None
        for _ in range(attempts):
            try:
                status, payload = self.call(method, path, body, content_type)
            except OSError as error:
                last = error
                time.sleep(0.1)
                continue
            if status in (429, 500, 503):
                last = (status, payload)
                time.sleep(0.05)
                continue
            return status, payload
        raise AssertionError(f"{method} {path} kept failing: {last}")

    def faults(self, **settings):
        status, payload = self.call("PUT", "/sandbox/faults", settings)
        assert status == 200, payload

    def clear_faults(self):
        self.call("DELETE", "/sandbox/faults")

    def close_watches(self):
        assert self.call("POST", "/sandbox/faults/close-watches")[0] == 200

    def compact(self):
        assert self.call("POST", "/sandbox/faults/compact")[0] == 200

    def counters(self):
        return self.call("GET", "/sandbox/counters")[1]

    def reset_counters(self):
        self.call("DELETE", "/sandbox/counters")

    def items(self, path):
        status, payload = self.call_retrying("GET", path)
        assert status == 200, payload
        return payload["items"]

    def requests(self):
        return self.items(f"/apis/elevator.dev/v1alpha1/namespaces/{NAMESPACE}/elevationrequests")

    def managed_policies(self):
        return self.items("/apis/security.istio.io/v1/authorizationpolicies?labelSelector="
                          + urllib.parse.quote(MANAGED))

    def events(self):
        return self.items(f"/apis/events.k8s.io/v1/namespaces/{NAMESPACE}/events")

    def stop(self):
        return self.box.stop()


class Proxy:
    """A TCP proxy in front of the sandbox for the controller: `cut(seconds)` drops every open
    connection and refuses new ones for that long, which is what an unreachable API server looks
    like to a client (the sandbox's own refusal leaves keep-alive connections working)."""

    def __init__(self, host, port):
        self.target = (host, port)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.port = self.listener.getsockname()[1]
        self.cut_until = 0.0
        self.lock = threading.Lock()
        self.pairs = []
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while self.running:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if time.monotonic() < self.cut_until:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client, upstream):
        sockets = [client, upstream]
        try:
            while self.running:
                ready, _, _ = select.select(sockets, [], [], 0.5)
                for source in ready:
                    data = source.recv(65536)
                    if not data:
                        return
                    (upstream if source is client else client).sendall(data)
        except OSError:
            return
        finally:
            for end in sockets:
                try:
                    end.close()
                except OSError:
                    pass
            with self.lock:
                if (client, upstream) in self.pairs:
                    self.pairs.remove((client, upstream))

    def cut(self, seconds):
        """Unreachable from now for `seconds`: open connections reset, new ones closed at once."""
        self.cut_until = time.monotonic() + seconds
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for client, upstream in pairs:
            for end in (client, upstream):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                    end.close()
                except OSError:
                    pass

    def close(self):
        self.running = False
        self.listener.close()


def wait_ready(probe_port, timeout=20, interval=0.05):
    """Whether a controller's `/readyz` on `probe_port` answers 200 within `timeout` seconds."""
    def probe():
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{probe_port}/readyz", timeout=1) as answer:
                return answer.status == 200
        except OSError:
            return False
    return wait_until(probe, timeout=timeout, interval=interval)


def free_port():
    """A port on 127.0.0.1 nothing listens on right now (the kernel's pick, not a guess)."""
    return free_ports(1)[0]


class Controller:
    """One `elevator controller` process with JSON logs; its audit lines (stdout) are collected
    with their arrival time across restarts of the same logical replica."""

    def __init__(self, cluster, workdir, name="replica-0", leader_elect=False, via=None, extra_env=None):
        self.cluster = cluster
        self.name = name
        self.workdir = pathlib.Path(workdir)
        self.kubeconfig = cluster.box.kubeconfig
        if via is not None:
            text = pathlib.Path(cluster.box.kubeconfig).read_text()
            text = text.replace(cluster.box.url, f"http://127.0.0.1:{via.port}")
            self.kubeconfig = str(self.workdir / f"{name}-proxy.kubeconfig")
            pathlib.Path(self.kubeconfig).write_text(text)
        self.probe_port = free_port()
        self.env = dict(os.environ, ELEVATOR_LOG_FORMAT="json", ELEVATOR_ALLOW_UNVERIFIED_IDENTITY="true",
                        ELEVATOR_METRICS_ADDRESS="", ELEVATOR_PROBE_ADDRESS=f"127.0.0.1:{self.probe_port}",
                        POD_NAME=name)
        self.env.update(extra_env or {})
        if leader_elect:
            self.env["ELEVATOR_LEADER_ELECT"] = "true"
        self.audit = []          # (arrival time, parsed audit line, incarnation)
        self.starts = []         # time each incarnation started
        self.kills = []          # time each SIGKILL was sent
        self.incarnation = 0
        self.process = None
        self.stderr_path = self.workdir / f"{name}.stderr.log"
        self.start()

    def start(self):
        self.incarnation += 1
        stderr = open(self.stderr_path, "a")
        self.process = subprocess.Popen(
            [str(ELEVATOR), "controller", "--kubeconfig", self.kubeconfig], env=self.env,
            stdout=subprocess.PIPE, stderr=stderr, text=True)
        stderr.close()
        self.starts.append(time.time())
        threading.Thread(target=self._read, args=(self.process, self.incarnation), daemon=True).start()

    def _read(self, process, incarnation):
        with open(self.workdir / f"{self.name}.stdout.log", "a") as copy:
            for line in process.stdout:
                copy.write(line)
                copy.flush()
                self._take(line, incarnation)

    def _take(self, line, incarnation):
        arrived = time.time()
        if not line.startswith("{"):
            return
        try:
            record = json.loads(line)
        except ValueError:
            return
        if record.get("kind") == "audit":
            self.audit.append((arrived, record, incarnation))

    def ready(self, timeout=20):
        return wait_ready(self.probe_port, timeout=timeout)

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def kill(self):
        """SIGKILL: no reconcile finishes, no Lease is released."""
        if self.alive():
            self.kills.append(time.time())
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self):
        """SIGTERM and wait; returns the exit code (0 is a clean stop)."""
        if not self.alive():
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            return None

    def stderr_tail(self, limit=4000):
        try:
            return self.stderr_path.read_text()[-limit:]
        except OSError:
            return ""


class MeshRecorder:
    """Watches managed AuthorizationPolicies (all namespaces) directly on the sandbox, from before
    the load, and records every change with its arrival time. A watch that ends is resumed from
    the last resourceVersion; a 410 (compaction) is followed by a list whose differences are
    recorded as synthetic events (`synthetic: True`), so no change is silently lost."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.events = []      # dicts: time, type, name, uid, requestUID, expiresAt, spec, synthetic
        self.live = {}        # object uid -> last object
        self.gaps = []        # (from, to) intervals when the recorder was not watching
        self.relists = 0
        self.stopping = False
        self.lock = threading.Lock()
        self.resource_version = self._relist(initial=True)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _record(self, kind, obj, synthetic=False, at=None):
        meta = obj.get("metadata", {})
        annotations = meta.get("annotations") or {}
        entry = {"time": at or time.time(), "type": kind, "name": meta.get("name"), "namespace": meta.get("namespace"),
                 "uid": meta.get("uid"), "requestUID": annotations.get("elevator.dev/request-uid"),
                 "expiresAt": annotations.get("elevator.dev/expires-at"), "spec": obj.get("spec"),
                 "resourceVersion": meta.get("resourceVersion"), "synthetic": synthetic}
        with self.lock:
            self.events.append(entry)
            if kind == "DELETED":
                self.live.pop(meta.get("uid"), None)
            else:
                self.live[meta.get("uid")] = obj

    def _relist(self, initial=False):
        status, payload = self.cluster.call_retrying(
            "GET", "/apis/security.istio.io/v1/authorizationpolicies?labelSelector=" + urllib.parse.quote(MANAGED))
        assert status == 200, payload
        now = time.time()
        seen = {}
        for item in payload["items"]:
            seen[item["metadata"]["uid"]] = item
        with self.lock:
            known = dict(self.live)
        for uid, obj in known.items():
            if uid not in seen:
                self._record("DELETED", obj, synthetic=True, at=now)
        for uid, item in seen.items():
            if uid not in known:
                self._record("ADDED", item, synthetic=not initial, at=now)
            elif known[uid]["metadata"]["resourceVersion"] != item["metadata"]["resourceVersion"]:
                self._record("MODIFIED", item, synthetic=True, at=now)
        if not initial:
            self.relists += 1
        return payload["metadata"]["resourceVersion"]

    def _run(self):
        gap_start = None
        while not self.stopping:
            connection = None
            try:
                connection = http.client.HTTPConnection(self.cluster.host, self.cluster.port, timeout=1)
                connection.request("GET", "/apis/security.istio.io/v1/authorizationpolicies?watch=1&allowWatchBookmarks=true"
                                   f"&resourceVersion={self.resource_version}&labelSelector={urllib.parse.quote(MANAGED)}",
                                   headers={"Authorization": f"Bearer {self.cluster.box.token}"})
                response = connection.getresponse()
                if response.status == 410:
                    self.resource_version = self._relist()
                    continue
                if response.status != 200:
                    response.read()
                    gap_start = gap_start or time.time()
                    time.sleep(0.02)
                    continue
                if gap_start is not None:
                    self.gaps.append((gap_start, time.time()))
                    gap_start = None
                while not self.stopping:
                    try:
                        line = response.readline()
                    except socket.timeout:
                        break  # quiet for a second: resume from the last resourceVersion (lossless)
                    if not line:
                        break
                    event = json.loads(line)
                    obj = event["object"]
                    if event["type"] == "ERROR":
                        if obj.get("code") == 410:
                            self.resource_version = self._relist()
                        break
                    self.resource_version = obj["metadata"]["resourceVersion"]
                    if event["type"] != "BOOKMARK":
                        self._record(event["type"], obj)
            except (OSError, http.client.HTTPException, ValueError):
                gap_start = gap_start or time.time()
                time.sleep(0.02)
            finally:
                if connection is not None:
                    connection.close()

    def stop(self):
        self.stopping = True
        self.thread.join(timeout=5)

    def snapshot(self):
        with self.lock:
            return list(self.events)
