"""`elevator controller` as a process against `elevator sandbox`: flags from the environment,
probes and metrics over HTTP, a grant through kubectl, its notification, a clean exit on SIGTERM."""
import http.server
import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.request

import pytest

from sandbox_support import BASELINE_POLICY, ELEVATOR, ROOT, Sandbox, free_ports, wait_until


def fetch(url, method="GET"):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=2) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:
        return None, ""


def exchange(url, method):
    """Status, headers and body of one request, whatever the status."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=2) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def notification_receiver():
    """A webhook on 127.0.0.1 (a free port) that records the JSON bodies POSTed to it."""
    bodies = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, bodies


def test_controller_grants_serves_probes_and_stops_on_sigterm(tmp_path):
    box = Sandbox(tmp_path, extra_args=["--crds", str(ROOT / "manifests" / "crds"), str(ROOT / "manifests" / "mesh-crds")])
    port, probe_port = free_ports(2)
    receiver, notifications = notification_receiver()
    env = dict(os.environ, ELEVATOR_LOG_FORMAT="json", ELEVATOR_ALLOW_UNVERIFIED_IDENTITY="true",
               ELEVATOR_METRICS_ADDRESS=f"127.0.0.1:{port}", ELEVATOR_PROBE_ADDRESS=f"127.0.0.1:{probe_port}",
               ELEVATOR_NOTIFY_URL=f"http://127.0.0.1:{receiver.server_address[1]}/hooks/T0/secret-token")
    controller = subprocess.Popen([str(ELEVATOR), "controller", "--kubeconfig", box.kubeconfig], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_until(lambda: fetch(f"http://127.0.0.1:{probe_port}/readyz")[0] == 200, timeout=15)
        assert fetch(f"http://127.0.0.1:{probe_port}/healthz")[0] == 200
        box.kubectl("apply", "-f", "-", input="apiVersion: v1\nkind: Namespace\nmetadata: {name: payments}\n")
        box.kubectl("apply", "-f", "-", input=BASELINE_POLICY)
        box.kubectl("apply", "-f", str(ROOT / "manifests" / "samples" / "policy.yaml"))
        request = (ROOT / "manifests" / "samples" / "request.yaml").read_text().replace(
            'reason: "INC-1234 stuck payouts"', 'reason: "INC-1234 stuck payouts"').replace("duration: 10m", "duration: 5m")
        box.kubectl("apply", "-f", "-", input=request)
        box.kubectl("wait", "-n", "payments", "--for=condition=Granted", "elevationrequest/inc-1234-debug",
                    "--timeout=15s")
        # Qualified: with Linkerd's CRDs installed too, "authorizationpolicy" alone is ambiguous.
        box.kubectl("get", "-n", "payments", "authorizationpolicies.security.istio.io", "elevator-inc-1234-debug")
        status, metrics = fetch(f"http://127.0.0.1:{port}/metrics")
        assert status == 200
        assert 'elevator_requests{phase="Active"} 1.0' in metrics
        assert "elevator_active_grants 1.0" in metrics
        # The routes and nothing else: HEAD answers like GET without a body; other methods and
        # paths are refused in one sentence.
        status, headers, body = exchange(f"http://127.0.0.1:{port}/metrics", "HEAD")
        assert (status, body) == (200, "") and headers["Content-Type"].startswith("text/plain; version=0.0.4")
        status, headers, body = exchange(f"http://127.0.0.1:{port}/metrics", "POST")
        assert status == 405 and headers["Allow"] == "GET, HEAD" and "GET and HEAD only" in body
        status, _, body = exchange(f"http://127.0.0.1:{port}/debug/pprof", "GET")
        assert status == 404 and "use /healthz, /readyz or /metrics" in body
        # Probes live on their own address when it differs from the metrics one.
        assert fetch(f"http://127.0.0.1:{port}/readyz")[0] == 404
        assert fetch(f"http://127.0.0.1:{probe_port}/metrics")[0] == 404
        assert wait_until(lambda: any(n["event"] == "Granted" for n in notifications), timeout=10)
        granted_note = next(n for n in notifications if n["event"] == "Granted")
        assert granted_note["request"] == "inc-1234-debug" and granted_note["phase"] == "Active"
        assert "payments/inc-1234-debug Granted" in granted_note["text"]
        controller.send_signal(signal.SIGTERM)
        out, err = controller.communicate(timeout=15)
        assert controller.returncode == 0, err
        audit = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        granted = [line for line in audit if line["event"] == "Granted"]
        assert granted and granted[0]["request"] == "inc-1234-debug" and granted[0]["phase"] == "Active"
        log = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
        assert any(line.get("message") == "controller stopped" for line in log)
        # Every JSON log line has the four fields, with the time in UTC to the second.
        assert log and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", line["time"]) for line in log)
        assert all({"time", "level", "logger", "message"} <= line.keys() for line in log)
        assert "secret-token" not in err
    finally:
        receiver.shutdown()
        if controller.poll() is None:
            controller.kill()
            controller.wait()
        box.stop()
