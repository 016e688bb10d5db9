"""Every object the chart renders, applied with kubectl to `elevator sandbox`: manifests/install.yaml
(with its Namespace and CRDs), the every-knob rendering (ServiceMonitor and PrometheusRule with
minimal stand-in CRDs, fixtures/install/monitoring-crds.yaml), the optional admission and
monitoring files. Then the controller runs with exactly the arguments the chart's Deployment gives
it (only the listen addresses moved to 127.0.0.1): the flags parse, it finds the identity policies
install.yaml brought, leads through its Lease, and becomes ready."""
import os
import signal
import subprocess
import urllib.request

import yaml

from install_support import FIXTURES, NAMESPACE, ROOT, all_knobs, load_all, one, render
from sandbox_support import ELEVATOR, Sandbox, free_ports, wait_until


def applied(box, objects):
    """kubectl apply of the objects, then kubectl get of each: stored, with the content as sent (CRDs
    excepted: the server adds its defaults). Returns (kind, namespace, name) of each."""
    box.kubectl("apply", "-f", "-", input=yaml.safe_dump_all(objects))
    found = set()
    for obj in objects:
        group = obj["apiVersion"].rpartition("/")[0]
        namespace = obj["metadata"].get("namespace")
        args = ["get", obj["kind"].lower() + (f".{group}" if group else ""), obj["metadata"]["name"], "-o", "yaml"]
        stored = yaml.safe_load(box.kubectl(*args, *(["-n", namespace] if namespace else [])).stdout)
        assert stored["metadata"]["name"] == obj["metadata"]["name"]
        for field in ("spec", "rules", "roleRef", "subjects", "data"):
            if field in obj and obj["kind"] != "CustomResourceDefinition":
                assert stored[field] == obj[field], f"{obj['kind']} {field}"
        found.add((obj["kind"], namespace, obj["metadata"]["name"]))
    return found


def test_install_yaml_and_every_knob_rendering_apply_to_the_sandbox(tmp_path):
    box = Sandbox(tmp_path)
    try:
        installed = load_all(ROOT / "manifests" / "install.yaml")
        result = box.kubectl("apply", "-f", str(ROOT / "manifests" / "install.yaml"))
        assert result.stdout.count("created") == len(installed), result.stdout
        assert len(applied(box, installed)) == len(installed)

        box.kubectl("apply", "-f", str(FIXTURES / "monitoring-crds.yaml"))
        box.kubectl("apply", "-f", "-", input="apiVersion: v1\nkind: Namespace\nmetadata: {name: elevator-knobs}\n")
        knobs, _, _ = render(all_knobs(), name="knobs", namespace="elevator-knobs")
        assert {o["kind"] for o in knobs} >= {"ServiceMonitor", "PrometheusRule", "MutatingAdmissionPolicy", "ConfigMap"}
        assert len(applied(box, knobs)) == len(knobs)
        for extra in ("admission/mutating.yaml", "monitoring/monitoring.yaml"):
            objects = load_all(ROOT / "manifests" / extra)
            assert len(applied(box, objects)) == len(objects)
        # Applying again changes nothing. kubectl always re-sends a PodDisruptionBudget's selector
        # (its patch strategy is "replace"), so that one reads "configured" whatever the server.
        again = box.kubectl("apply", "-f", str(ROOT / "manifests" / "install.yaml")).stdout.splitlines()
        assert [line for line in again if not line.endswith(" unchanged")] == ["poddisruptionbudget.policy/elevator configured"]
        assert one(load_all(ROOT / "manifests" / "install.yaml"), "PodDisruptionBudget")["spec"] == yaml.safe_load(
            box.kubectl("get", "pdb", "-n", NAMESPACE, "elevator", "-o", "yaml").stdout)["spec"]
    finally:
        box.stop()


def ready(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def run_with_chart_args(box, args, metrics_port, probe_port):
    """Starts the controller with the Deployment's args (addresses moved to 127.0.0.1 on the given ports)."""
    moved = [a for a in args if not a.startswith(("--metrics-address", "--probe-address"))]
    moved += [f"--metrics-address=127.0.0.1:{metrics_port}", f"--probe-address=127.0.0.1:{probe_port}", "--kubeconfig", box.kubeconfig]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ELEVATOR_")}
    return subprocess.Popen([str(ELEVATOR), *moved], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(env, POD_NAME="elevator-7d9f-abcde"))


def stop(process):
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err[-3000:]
    return out, err


def test_the_controller_runs_with_the_charts_arguments(tmp_path):
    box = Sandbox(tmp_path, extra_args=["--crds", str(ROOT / "manifests" / "mesh-crds")])
    ports = free_ports(4)
    try:
        box.kubectl("apply", "-f", str(ROOT / "manifests" / "install.yaml"))
        args = one(render()[0], "Deployment")["spec"]["template"]["spec"]["containers"][0]["args"]
        assert args[0] == "controller" and "--leader-elect" in args and f"--leader-election-namespace={NAMESPACE}" in args
        process = run_with_chart_args(box, args, *ports[:2])
        try:
            assert wait_until(lambda: ready(ports[1]), timeout=20), "not ready with the chart's arguments"
            holder = lambda: yaml.safe_load(box.kubectl("get", "lease", "-n", NAMESPACE, "elevator-controller", "-o", "yaml",
                                                        check=False).stdout or "{}").get("spec", {}).get("holderIdentity")
            assert wait_until(lambda: holder() == "elevator-7d9f-abcde", timeout=10)
        finally:
            out, err = stop(process)
        assert "no elevator ValidatingAdmissionPolicy is installed" not in err, "install.yaml's identity policies not found"

        knob_args = one(render(all_knobs())[0], "Deployment")["spec"]["template"]["spec"]["containers"][0]["args"]
        knob_args = [a for a in knob_args if a != "--extra-flag-knob=1"]  # the knobs file's stand-in extra flag
        assert "--allow-unverified-identity" in knob_args and "--log-format=text" in knob_args
        process = run_with_chart_args(box, knob_args, *ports[2:])
        try:
            assert wait_until(lambda: ready(ports[3]), timeout=20), "not ready with the every-knob arguments"
        finally:
            stop(process)
    finally:
        box.stop()
