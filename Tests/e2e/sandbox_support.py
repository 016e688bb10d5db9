"""Starts `elevator sandbox --port 0` for one test and tells where it listens.

Every sandbox test gets a fresh server process (isolated state), a kubeconfig of its own and
bounded waits, so one test can neither see nor hang another.
"""
import os
import pathlib
import re
import shutil
import socket
import subprocess
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
ELEVATOR = ROOT / ".build" / "debug" / "elevator"
FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"
LINE = re.compile(r"^sandbox: serving (https?://[^ ]+) \(kubeconfig: (.+)\)$")

# The ALLOW policy of the `payments` namespace that Elevator's default-deny guard wants to see
# before it grants anything there (a namespace without one would be opened wide by a grant).
BASELINE_POLICY = """
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: baseline, namespace: payments}
spec:
  selector: {matchLabels: {app: payments}}
  rules: [{from: [{source: {namespaces: [payments]}}]}]
"""


def kubectl_binary():
    """The real kubectl 1.32 beside the dispatcher on PATH (the dispatcher adds a request per call)."""
    found = shutil.which("kubectl")
    if found is None:
        raise RuntimeError("kubectl is not on PATH; the sandbox e2e tests drive the real kubectl 1.32")
    real = pathlib.Path(os.path.realpath(found)).parent / "kubectl.1.32"
    return str(real) if real.exists() else found


class Sandbox:
    """One running `elevator sandbox` process."""

    def __init__(self, workdir, extra_args=(), env=None):
        self.workdir = pathlib.Path(workdir)
        self.kubeconfig = str(self.workdir / "sandbox.kubeconfig")
        args = [str(ELEVATOR), "sandbox", "--port", "0", "--kubeconfig", self.kubeconfig, *extra_args]
        self.process = subprocess.Popen(args, cwd=self.workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, env=env)
        self.url = None
        line_holder = []

        def read_first_line():
            line_holder.append(self.process.stdout.readline())

        reader = threading.Thread(target=read_first_line, daemon=True)
        reader.start()
        reader.join(timeout=15)
        line = line_holder[0].rstrip("\n") if line_holder else ""
        match = LINE.match(line)
        if not match:
            self.stop()
            raise RuntimeError(f"sandbox did not announce itself; first line was {line!r}; "
                               f"stderr: {self.process.stderr.read()[:2000]}")
        self.url = match.group(1)
        self.first_line = line
        self.token = None
        for text_line in pathlib.Path(self.kubeconfig).read_text().splitlines():
            if text_line.strip().startswith("token:"):
                self.token = text_line.split(":", 1)[1].strip()

    def kubectl(self, *args, input=None, timeout=30, check=True):
        """Runs kubectl against this sandbox; returns the CompletedProcess."""
        cache = self.workdir / "kubectl-cache"
        command = [kubectl_binary(), "--kubeconfig", self.kubeconfig, "--cache-dir", str(cache), *args]
        result = subprocess.run(command, input=input, capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        return self.process.returncode


def free_ports(count):
    """`count` distinct ports on 127.0.0.1 that nothing listens on right now, picked by the kernel
    (a guessed port can fall in the ephemeral range and be taken by some connection's local end)."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def wait_until(predicate, timeout=10.0, interval=0.05):
    """Polls `predicate` until it is truthy; returns its last value."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value


import pytest  # noqa: E402  (kept beside the fixture it serves)


@pytest.fixture
def sandbox(tmp_path):
    """A fresh `elevator sandbox --port 0` for one test; stopped (and checked to stop) afterwards."""
    server = Sandbox(tmp_path)
    yield server
    assert server.stop() == 0, "the sandbox did not stop cleanly on SIGTERM"


@pytest.fixture(autouse=True)
def bounded_in_time():
    """Fails a sandbox test that runs longer than two minutes instead of letting it hang the suite."""
    import signal

    def expire(signum, frame):
        raise TimeoutError("sandbox test exceeded its 120 s bound")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(120)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)
